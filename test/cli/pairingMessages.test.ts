/**
 * What `pairing approve` and `pairing revoke` print must be true for the
 * loaded config: an approval counts only under dmPolicy "pairing", and a
 * revoked sender still in the config's allowFrom is not shut out.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { PairingStore } from '../../src/core/pairing/pairingStore';
import { MemoryLogger } from '../../src/core/logger';
import { pairingApprove, pairingRevoke } from '../../src/cli/commands/pairing';

const CAROL = { id: '29:carol', name: 'Carol', aadObjectId: '00000000-0000-4000-8000-0000000000c0' };

describe('CLI pairing messages follow the config', function () {
  this.timeout(20_000);
  let dir: string;
  let configFile: string;
  let stateDir: string;

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tbd-cli-msg-'));
    configFile = path.join(dir, 'teams-bot.config.json');
    stateDir = path.join(dir, '.teams-bot');
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  async function pendingCode(): Promise<string> {
    const store = new PairingStore({ file: path.join(stateDir, 'pairing.json'), ttlMinutes: 60, maxPending: 20 });
    try {
      const created = await store.touch({ id: CAROL.id, meta: { name: CAROL.name, aadObjectId: CAROL.aadObjectId } });
      return (created as { request: { code: string } }).request.code;
    } finally {
      store.close();
    }
  }

  async function run(fn: (out: NodeJS.WritableStream) => Promise<number>): Promise<string> {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    assert.equal(await fn(out), 0);
    return text;
  }

  const writeConfig = (config: Record<string, unknown>) => fs.writeFile(configFile, JSON.stringify({ pairing: { notifyOnApprove: false }, ...config }));

  it('approve under dmPolicy "pairing" says the sender can now DM the bot', async () => {
    await writeConfig({ dmPolicy: 'pairing' });
    const code = await pendingCode();
    const text = await run((out) => pairingApprove(code, { config: configFile, stateDir }, new MemoryLogger(), out));
    assert.match(text, /can now message the bot in a personal chat/);
  });

  it('approve under dmPolicy "allowlist" does not claim the sender can DM the bot, and says what would', async () => {
    await writeConfig({ dmPolicy: 'allowlist', allowFrom: ['00000000-0000-4000-8000-0000000000ff'] });
    const code = await pendingCode();
    const text = await run((out) => pairingApprove(code, { config: configFile, stateDir }, new MemoryLogger(), out));
    assert.doesNotMatch(text, /can now message the bot/);
    assert.match(text, /does not count while dmPolicy is "allowlist"/);
    assert.match(text, /set dmPolicy to "pairing"/);
  });

  it('revoke of a sender also in the config\'s allowFrom says they are still allowed there', async () => {
    await writeConfig({ dmPolicy: 'pairing', allowFrom: [CAROL.aadObjectId] });
    const code = await pendingCode();
    await run((out) => pairingApprove(code, { config: configFile, stateDir }, new MemoryLogger(), out));
    const text = await run((out) => pairingRevoke(CAROL.id, { config: configFile, stateDir }, new MemoryLogger(), out));
    assert.doesNotMatch(text, /starts a new pairing/);
    assert.match(text, new RegExp(`still allowed by allowFrom in .*teams-bot\\.config\\.json \\(entry ${CAROL.aadObjectId}\\)`));
  });

  it('revoke of a sender only approved by pairing says their next DM starts a new pairing', async () => {
    await writeConfig({ dmPolicy: 'pairing' });
    const code = await pendingCode();
    await run((out) => pairingApprove(code, { config: configFile, stateDir }, new MemoryLogger(), out));
    const text = await run((out) => pairingRevoke(CAROL.id, { config: configFile, stateDir }, new MemoryLogger(), out));
    assert.match(text, /their next personal message starts a new pairing/);
  });
});
