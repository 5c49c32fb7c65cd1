import { strict as assert } from 'node:assert';
import { definedOnly } from '../../src/core/definedOnly';

describe('definedOnly (the one copy, shared by the gateway and the pairing stores)', () => {
  it('drops undefined values only, so a spread cannot blank what is under it', () => {
    const meta = { name: undefined, aadObjectId: 'a', conversationId: '', count: 0 };
    assert.deepEqual(definedOnly(meta), { aadObjectId: 'a', conversationId: '', count: 0 });
    const edit: { name?: string } = { name: undefined };
    const base = { name: 'Carol' };
    assert.deepEqual({ ...base, ...definedOnly(edit) }, { name: 'Carol' });
  });

  it('emptyStrings: an empty app password (a field left empty) does not hide the one from the env or file', () => {
    const fromSecretStorage: { appPassword?: string } = { appPassword: '' };
    const fromEnv = { appPassword: 'from-env' };
    assert.deepEqual({ ...fromEnv, ...definedOnly(fromSecretStorage, { emptyStrings: true }) }, { appPassword: 'from-env' });
    assert.deepEqual(definedOnly({ appPassword: 'x' }, { emptyStrings: true }), { appPassword: 'x' });
  });

  it('undefined in, nothing out', () => {
    assert.deepEqual(definedOnly(undefined as { a?: string } | undefined), {});
  });
});
