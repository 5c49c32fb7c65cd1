import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { entraErrorTable } from '../../../scripts/entraErrorTable';
import { entraErrorCode, explainEntraError, explainedEntraErrors } from '../../../src/core/credentials/entraErrors';

describe('explainEntraError', () => {
  it('explains the AADSTS code in an Entra error body, an MSAL message or a send-failed detail', () => {
    const forms = [
      "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '11111111-2222-3333-4444-555555555555'.",
      'invalid_client: Error(s): 7000215 - Timestamp: 2026-01-01 00:00:00Z - Description: AADSTS7000215: Invalid client secret provided.',
      'pairing code ABCD1234 not sent: Entra ID refused the client-secret token request (invalid_client): AADSTS7000215: Invalid client secret provided.',
    ];
    for (const message of forms) {
      const e = explainEntraError(message);
      assert.equal(e?.code, 'AADSTS7000215', message);
      assert.match(e!.explanation, /secret's ID \(a GUID\) was pasted instead of its Value/);
      assert.deepEqual(e!.fixIn, { kind: 'app-password' });
    }
  });

  it('each code the issue names has an explanation and a fix', () => {
    for (const code of ['AADSTS7000215', 'AADSTS7000222', 'AADSTS700016', 'AADSTS90002', 'AADSTS700024']) {
      const e = explainEntraError(`${code}: whatever Entra said.`);
      assert.equal(e?.code, code);
      assert.ok(e!.explanation.length > 20 && e!.fix.length > 20, code);
    }
    assert.deepEqual(explainEntraError('AADSTS700016: Application not found.')!.fixIn, { kind: 'config', key: 'tenantId' });
  });

  it('a code it does not explain: undefined, though entraErrorCode still finds it; a longer code is not read as a shorter one', () => {
    assert.equal(explainEntraError('AADSTS50034: The user account does not exist.'), undefined);
    assert.equal(entraErrorCode('AADSTS50034: The user account does not exist.'), 'AADSTS50034');
    // Only whole codes count: 900023 (a malformed tenant id) is not 90002.
    assert.equal(explainEntraError("AADSTS900023: Specified tenant identifier 'x' is neither a valid DNS name, nor a valid external domain.")?.code, undefined);
    assert.equal(explainEntraError('no code here'), undefined);
  });

  it('the first explained code wins when a message quotes several', () => {
    assert.equal(explainEntraError('AADSTS50034 then AADSTS90002: Tenant not found.')?.code, 'AADSTS90002');
  });

  it('the README lists exactly the explained codes', () => {
    const readme = readFileSync(path.join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
    const block = /<!-- entra-errors:start -->\n([\s\S]*?)\n<!-- entra-errors:end -->/.exec(readme);
    assert.ok(block, 'README has the entra-errors block');
    assert.equal(block[1], entraErrorTable(), 'regenerate it with: node --import tsx scripts/entraErrorTable.ts --write');
    assert.equal(entraErrorTable().split('\n').length, explainedEntraErrors().length + 2);
  });
});
