/**
 * Issue 8 §2: a config edit the gateway cannot use keeps the last good config
 * running, logs every error with line and column, emits configError for the
 * extension, and never becomes an unhandled rejection.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import { startGateway, personalMessage, type RunningGateway } from '../support/gatewayHarness';
import type { ActivitySender } from '../../src/core/gateway/activitySender';

const SERVICE_URL = 'https://smba.trafficmanager.net/amer/';
const FRIEND = { id: '29:friend', name: 'Friend', aadObjectId: '00000000-0000-4000-8000-00000000bbbb' };
const STRANGER = { id: '29:stranger', name: 'Stranger', aadObjectId: '00000000-0000-4000-8000-00000000aaaa' };
const okSender: ActivitySender = { send: async () => ({ ok: true, status: 201 }) };

describe('config reload faults (issue 8 §2)', function () {
  this.timeout(30_000);
  let gw: RunningGateway | undefined;
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);

  beforeEach(() => process.on('unhandledRejection', onRejection));
  afterEach(async () => {
    process.off('unhandledRejection', onRejection);
    rejections.length = 0;
    await gw?.stop();
    gw = undefined;
  });

  async function stillServesTheOldConfig(): Promise<void> {
    const friend = await gw!.post(personalMessage(FRIEND, 'still there?', SERVICE_URL));
    assert.equal(friend.headers.get('x-teams-bot-dev-reason'), 'echo', 'an allowed sender is still delivered');
    const stranger = await gw!.post(personalMessage(STRANGER, 'hi', SERVICE_URL));
    assert.equal(stranger.json.reason, 'dm-pairing-pending', 'the old dmPolicy is still in force');
  }

  it('invalid JSON, then a schema error, then an unreadable path: the last good config keeps running; each error is logged with line and column and emitted', async () => {
    gw = await startGateway({ dmPolicy: 'pairing', allowFrom: [FRIEND.aadObjectId], bot: { echo: true } }, { sender: okSender });

    let event = gw!.gateway.next('configError');
    await fs.writeFile(gw.configFile, '{\n  "dmPolicy": "open",\n  "allowFrom": [\n');
    let error = await event;
    assert.equal(error.file, gw.configFile);
    assert.match(error.message, /keeps the last valid configuration/);
    assert.ok(error.diagnostics.length > 0);
    assert.ok(error.diagnostics.every((d) => d.severity === 'error' && typeof d.line === 'number' && typeof d.column === 'number'), 'every error has a line and column');
    assert.ok(gw.logger.lines.some((l) => l.level === 'error' && /\(line \d+, col \d+\)/.test(l.message)), 'the log names line and column');
    await stillServesTheOldConfig();

    event = gw!.gateway.next('configError');
    await fs.writeFile(gw.configFile, '{\n  "dmPolicy": "sometimes",\n  "allowFrom": []\n}\n');
    error = await event;
    const dm = error.diagnostics.find((d) => d.path === 'dmPolicy');
    assert.ok(dm, 'the schema error names dmPolicy');
    assert.equal(dm.line, 2);
    assert.ok(gw.logger.lines.some((l) => l.level === 'error' && l.message.includes('dmPolicy') && l.message.includes('(line 2, col')));
    await stillServesTheOldConfig();

    // An edit that replaces the file with something that cannot be read at all.
    event = gw!.gateway.next('configError');
    await fs.rm(gw.configFile);
    await fs.mkdir(gw.configFile);
    error = await event;
    assert.match(error.message, /Cannot read/);
    await stillServesTheOldConfig();

    // Fixed: the new config applies, and the UI hears it.
    const changed = gw!.gateway.next('configChanged');
    await fs.rmdir(gw.configFile);
    await fs.writeFile(gw.configFile, JSON.stringify({ dmPolicy: 'open', bot: { echo: true }, webhook: { port: 0 } }));
    const loaded = await changed;
    assert.equal(loaded.config?.dmPolicy, 'open');
    const stranger = await gw.post(personalMessage(STRANGER, 'now?', SERVICE_URL));
    assert.equal(stranger.headers.get('x-teams-bot-dev-reason'), 'echo');
    assert.deepEqual(rejections, [], 'no unhandled rejection');
  });
});
