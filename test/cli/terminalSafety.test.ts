/**
 * What the CLI prints quotes others: a sender's name and text, a bot's answer
 * (its JSON keys end up in invoke warnings), whatever answers on a port. A
 * control character among them must be shown, not obeyed: ESC [2J clears the
 * terminal, C1 CSI (U+009B) does the same on many terminals, and a newline
 * forges a line of output.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { activities } from '../../src/cli/commands/activities';
import { ActivityLog } from '../../src/core/activity/activityLog';
import { reportText } from '../../src/core/deliveryCheck/reportText';
import { HOP_TITLES } from '../../src/core/deliveryCheck/hops';
import { checkInvokeAnswer } from '../../src/core/invokeContract/checkInvokeAnswer';

// eslint-disable-next-line no-control-regex
const OBEYED = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

function collect(): { out: Writable; text: () => string } {
  let text = '';
  return {
    out: new Writable({ write(chunk, _enc, done) { text += String(chunk); done(); } }),
    text: () => text,
  };
}

describe('CLI output: control characters from senders and bots are shown, not obeyed', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tbd-terminal-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('an invoke warning quotes the bot\'s keys escaped and clipped', () => {
    const [warning] = checkInvokeAnswer({ type: 'invoke', name: 'task/fetch' }, { status: 200, body: { '\u001b[2Jcleared': 1, ['k'.repeat(500)]: 2 }, latencyMs: 1 });
    assert.equal(warning.code, 'invoke-body');
    assert.doesNotMatch(warning.text, OBEYED);
    assert.match(warning.text, /"\\u001b\[2Jcleared"/);
    assert.ok(warning.text.length < 400, warning.text);
  });

  it('activities: the table and the warning lines', async () => {
    const stateDir = path.join(dir, 'state');
    const log = new ActivityLog({ dir: stateDir });
    await log.load();
    // As an older gateway (or any writer of the log) might have stored them: raw.
    log.record({
      direction: 'inbound', source: 'tunnel', status: 200, latencyMs: 3, auth: 'jwt-valid', fate: 'delivered', reason: 'invoke',
      summary: { type: 'invoke', name: 'task/fetch\u001b[31m', senderId: '29:mallory', senderName: 'Mallory\u009b2J', text: 'line one\nFORGED 00:00 in 200 delivered' },
      warnings: [{ code: 'invoke-body', text: 'the body has "\u001b]0;pwned\u0007" and\r\na second line' }],
    });
    await log.close();
    const { out, text } = collect();
    assert.equal(await activities({ config: path.join(dir, 'none.json'), stateDir }, out), 0);
    const printed = text();
    assert.doesNotMatch(printed, OBEYED, JSON.stringify(printed));
    assert.match(printed, /Mallory\\u009b2J/);
    assert.match(printed, /task\/fetch\\u001b\[31m: invoke-body: the body has "\\u001b\]0;pwned\\u0007" and a second line/);
    assert.equal(printed.split('\n').filter((l) => l.includes('FORGED')).length, 1, 'the sender\'s newline forged no line');
    assert.doesNotMatch(printed, /^FORGED/m);
  });

  it('check: the report\'s summaries, evidence and fix lines', () => {
    const text = reportText({
      ok: false, time: new Date(0).toISOString(), configFile: 'teams-bot.config.json', stateDir: '.teams-bot',
      hops: [{
        id: 'webhook', title: HOP_TITLES.webhook, status: 'failed',
        summary: 'Something else answers on 127.0.0.1:3978 (HTTP 500)\u001b[2J',
        evidence: ['POST http://127.0.0.1:3978/api/messages → HTTP 500: \u009b2J\nfix: rm -rf ~'],
        fix: { title: 'Open Config', cli: 'teams-bot-dev serve\u001b[8m' },
      }],
    });
    assert.doesNotMatch(text, OBEYED, JSON.stringify(text));
    assert.doesNotMatch(text, /^\s*fix: rm/m, 'no forged fix line');
  });
});
