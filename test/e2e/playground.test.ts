/**
 * End to end with a client nobody here wrote: Microsoft 365 Agents Playground
 * → the real CLI's `serve` (local mode, dmPolicy pairing) → a real
 * @microsoft/teams.apps echo bot, whose replies go straight back to the
 * Playground's connector. Pairing is approved with the real CLI.
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import type { ActivityRecord } from '../../src/core/activity/activityRecord';
import { REASONS } from '../../src/core/reasons';
import {
  REPO_ROOT, freePort, groupAlive, makeTempDir, requireBuiltCli, runCli, spawnLines, startServe, waitFor, childEnv,
  type LineProcess,
} from '../support/cli';
import { PG, startPlayground, type Playground, type StreamEvent } from '../support/playground';

const ECHO_BOT = path.join(REPO_ROOT, 'test', 'fixtures', 'sampleBot', 'echoBot.js');
const CODE = /pairing code is \*\*([ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8})\*\*/;

const CONFIG_TEXT = `// e2e: the gateway between Agents Playground and a real echo bot
{
  // unknown senders get a pairing code
  "dmPolicy": "pairing",
  "allowFrom": [],
  "groupPolicy": "allowlist",
  "requireMention": true
}
`;

describe('e2e: Agents Playground → serve (CLI) → real echo bot', function () {
  this.timeout(90_000);

  let dir: string;
  let configFile: string;
  let stateDir: string;
  let bot: LineProcess | undefined;
  let serve: LineProcess | undefined;
  let pg: Playground | undefined;
  let carolCode = '';
  let daveCode = '';

  const common = () => ['--config', configFile, '--state-dir', stateDir];

  async function records(): Promise<ActivityRecord[]> {
    const res = await runCli(['activities', '--json', '--limit', '200', ...common()]);
    assert.equal(res.code, 0, res.stderr);
    return (JSON.parse(res.stdout) as ActivityRecord[]).reverse(); // oldest first
  }

  /** Polls `activities --json` (the serve process writes the log asynchronously). */
  function waitForRecord(pred: (r: ActivityRecord) => boolean, what: string): Promise<ActivityRecord> {
    return waitFor(async () => (await records()).find(pred), `a record of ${what}`, 20_000, 100);
  }

  function inChat(conversationId: string, pred: (text: string) => boolean) {
    return (e: StreamEvent) => e.actionConversationId === conversationId && typeof e.message?.text === 'string' && pred(e.message.text);
  }

  before(async function () {
    this.timeout(5 * 60_000); // hang guard: the build below (unless this run already did it), the Playground and the bot start
    requireBuiltCli();
    dir = await makeTempDir('tbd-e2e-');
    configFile = path.join(dir, 'teams-bot.config.json');
    stateDir = path.join(dir, 'state');
    await fs.writeFile(configFile, CONFIG_TEXT);

    const botPort = await freePort();
    bot = spawnLines('echo-bot', process.execPath, [ECHO_BOT], { env: childEnv({ PORT: String(botPort) }) });
    await bot.waitForLine(/^echo bot listening on /, 30_000);

    const started = await startServe([...common(), '--port', String(await freePort()), '--bot-url', `http://127.0.0.1:${botPort}/api/messages`]);
    serve = started.serve;
    assert.equal(started.url, `http://127.0.0.1:${started.port}/api/messages`);

    const pgDir = path.join(dir, 'playground');
    await fs.mkdir(pgDir);
    pg = await startPlayground({ endpoint: started.url, cwd: pgDir, port: await freePort() });
    await pg.connect();
  });

  after(async () => {
    // Everything is stopped and removed first; the checks come after, so a failed one leaves nothing behind.
    const procs = [pg?.process, serve, bot].filter((p): p is LineProcess => p !== undefined);
    await pg?.stop();
    await serve?.stop();
    await bot?.stop();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
    for (const p of procs) assert.equal(groupAlive(p.pid), false, `${p.name} (process group ${p.pid}) left processes behind`);
    if (serve) assert.deepEqual(await serve.exited, { code: 0, signal: null }, `serve did not exit cleanly on SIGTERM\n${serve.output()}`);
  });

  it('the Playground runs with the config in test/fixtures/playground, against the gateway, and stays up', async () => {
    const { config } = await pg!.config();
    assert.equal(config.bot.id, PG.bot.id);
    assert.equal(config.currentUser.id, PG.carol.id);
    assert.equal(config.currentUser.aadObjectId, PG.carol.aadObjectId);
    assert.deepEqual(config.users.map((u: { id: string }) => u.id).slice(0, 1), [PG.dave.id]);
    assert.equal(pg!.process.alive, true);
    assert.equal(serve!.alive, true);
  });

  it('a group chat message without a mention is not delivered by the Playground; with one, the gateway drops it as group-not-allowlisted', async () => {
    const plain = await pg!.sendMessage(PG.groupChatId, 'group hello without mention');
    assert.equal(plain.status, 200);
    const mentioned = await pg!.sendMessage(PG.groupChatId, `<at>${PG.bot.name}</at> group hello with mention`, { mentionBot: true });
    assert.equal(mentioned.status, 200);

    const record = await waitForRecord((r) => r.direction === 'inbound' && r.summary.text?.includes('group hello with mention') === true, 'the mentioned group message');
    assert.equal(record.reason, 'group-not-allowlisted');
    assert.equal(record.fate, 'dropped');
    assert.equal(record.status, 200);
    assert.equal(record.source, 'loopback');
    assert.equal(record.auth, 'local');
    assert.equal(record.summary.conversationKind, 'groupChat');
    assert.equal(record.summary.conversationId, PG.groupChatId);
    assert.equal(record.summary.senderId, PG.carol.id);
    // The Playground handles the two posts in order: the first never reached the gateway.
    assert.deepEqual((await records()).filter((r) => r.summary.text?.includes('without mention')), []);
    await serve!.waitForLine((l) => l.message.startsWith(`[msteams] dropped message reason=group-not-allowlisted sender=${PG.carol.id}: `));
  });

  it('a personal message from the current user gets a pairing code in the chat, and the exact log line', async () => {
    await pg!.sendMessage(PG.personalChatId, 'hello gateway');
    const reply = await pg!.waitForMessage(inChat(PG.personalChatId, (t) => CODE.test(t)), 'the pairing code reply');
    carolCode = CODE.exec(reply.message!.text!)![1];
    assert.match(reply.message!.text!, /^Hi Carol! This bot only answers people its developer has approved/);
    assert.equal(reply.message!.from?.id, PG.bot.id);

    const expected = `[msteams] pairing request sender=${PG.carol.id} code=${carolCode}`;
    await serve!.waitForLine((l) => l.message === expected);
    assert.equal(serve!.lines.filter((l) => l.message.startsWith('[msteams] pairing request ')).length, 1);

    const record = await waitForRecord((r) => r.direction === 'inbound' && r.summary.text === 'hello gateway', 'the DM');
    assert.equal(record.reason, 'dm-pairing-pending');
    assert.equal(record.pairingCode, carolCode);
    assert.equal(record.summary.aadObjectId, PG.carol.aadObjectId);
  });

  it('another user, sent as a custom activity from a template, is dropped with a pairing code of their own', async () => {
    const template = await pg!.template(PG.personalChatId, 'install');
    const activity: Record<string, unknown> = { ...template, type: 'message', id: `dave-${Date.now()}`, text: 'hi, Dave here', from: { ...PG.dave } };
    delete activity.action;
    const sent = await pg!.sendCustomActivity(activity);
    assert.equal(sent.status, 200, sent.text);

    const record = await waitForRecord((r) => r.direction === 'inbound' && r.summary.senderId === PG.dave.id, "Dave's message");
    assert.equal(record.reason, 'dm-pairing-pending');
    daveCode = record.pairingCode!;
    assert.match(daveCode, /^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$/);
    assert.notEqual(daveCode, carolCode);
    await serve!.waitForLine((l) => l.message === `[msteams] pairing request sender=${PG.dave.id} code=${daveCode}`);
    // The gateway answers in the conversation the activity came from.
    const reply = await pg!.waitForMessage(inChat(PG.personalChatId, (t) => t.includes(`**${daveCode}**`)), "Dave's pairing code reply");
    assert.match(reply.message!.text!, /^Hi Dave! /);

    const list = await runCli(['pairing', 'list', '--json', ...common()]);
    assert.equal(list.code, 0, list.stderr);
    const pending = JSON.parse(list.stdout) as { id: string; code: string }[];
    assert.deepEqual(pending.map((r) => [r.id, r.code]), [[PG.carol.id, carolCode], [PG.dave.id, daveCode]]);
  });

  it('`pairing approve` (CLI) lets Carol into personal chats (the state dir\'s allowFrom.json, not the config), and the Playground shows the approval notice', async () => {
    const configBefore = await fs.readFile(configFile, 'utf8');
    const res = await runCli(['pairing', 'approve', carolCode, ...common()]);
    assert.equal(res.code, 0, res.stderr);
    const [logLine, ...rest] = res.stdout.split('\n');
    assert.equal(logLine.replace(/^\d\d:\d\d:\d\d\.\d{3} /, ''), `INFO  [msteams] pairing approved code=${carolCode} sender=${PG.carol.id} approved+=${PG.carol.aadObjectId} (personal chats only)`);
    assert.deepEqual(rest, [
      `Approved ${carolCode}: ${PG.carol.name} (${PG.carol.id}) can now message the bot in a personal chat (${path.join(stateDir, 'allowFrom.json')}, as ${PG.carol.aadObjectId}). Group chats and channels still follow groupAllowFrom/allowFrom in the config: \`teams-bot-dev pairing promote ${PG.carol.aadObjectId}\` adds them there.`,
      'The sender was told they are approved.',
      '',
    ]);
    assert.equal(await fs.readFile(configFile, 'utf8'), configBefore, 'the config is untouched');
    assert.deepEqual(JSON.parse(await fs.readFile(path.join(stateDir, 'allowFrom.json'), 'utf8')).allowFrom, [PG.carol.aadObjectId]);

    const notice = await pg!.waitForMessage(inChat(PG.personalChatId, (t) => /are approved/.test(t)), 'the approval notice');
    assert.equal(notice.message!.text, 'Carol, you are approved: your messages now reach the bot. Send your message again.');
  });

  it('the next message goes through the gateway to the real echo bot, and "Echo: <text>" comes back', async () => {
    // The running gateway's own line for an approval made by another process (the CLI).
    await serve!.waitForLine((l) => l.message === `[msteams] pairing ${carolCode} approved elsewhere: ${PG.carol.id} may now message the bot in personal chats`);
    await pg!.sendMessage(PG.personalChatId, 'ping 42');
    const echo = await pg!.waitForMessage(inChat(PG.personalChatId, (t) => t.startsWith('Echo: ')), 'the echo');
    assert.equal(echo.message!.text, 'Echo: ping 42');

    const record = await waitForRecord((r) => r.direction === 'inbound' && r.summary.text === 'ping 42', 'the delivered DM');
    assert.equal(record.reason, 'dm-allowlisted');
    assert.equal(record.fate, 'delivered');
    assert.equal(record.status, 200);
    assert.equal(record.botResponse?.status, 200);
    await serve!.waitForLine((l) => l.message === `[msteams] delivered message from ${PG.carol.id} (dm-allowlisted) → bot HTTP 200`);
  });

  it('a DM approval does not open the group chat; once promoted into the config\'s allowFrom (comments kept), her group chat mention is delivered (group-allowlisted) and echoed there', async () => {
    await pg!.sendMessage(PG.groupChatId, `<at>${PG.bot.name}</at> am I in?`, { mentionBot: true });
    const refused = await waitForRecord((r) => r.direction === 'inbound' && r.summary.text?.endsWith('am I in?') === true, 'the group mention after the DM approval');
    assert.equal(refused.reason, 'group-not-allowlisted');

    const promote = await runCli(['pairing', 'promote', PG.carol.aadObjectId, ...common()]);
    assert.equal(promote.code, 0, promote.stderr);
    const text = await fs.readFile(configFile, 'utf8');
    assert.ok(text.startsWith('// e2e: the gateway between Agents Playground and a real echo bot\n'), text);
    assert.ok(text.includes('// unknown senders get a pairing code'), text);
    assert.deepEqual(parseJsonc(text).allowFrom, [PG.carol.aadObjectId]);
    await serve!.waitForLine((l) => l.message.startsWith('[config] reloaded ') && l.message.includes('allowFrom: 1 entry'));
    await pg!.sendMessage(PG.groupChatId, `<at>${PG.bot.name}</at> status please`, { mentionBot: true });
    const echo = await pg!.waitForMessage(inChat(PG.groupChatId, (t) => t.startsWith('Echo: ')), 'the group echo');
    assert.equal(echo.message!.text, `Echo: <at>${PG.bot.name}</at> status please`);
    const record = await waitForRecord((r) => r.direction === 'inbound' && r.summary.text?.endsWith('status please') === true, 'the group mention');
    assert.equal(record.reason, 'group-allowlisted');
    assert.equal(record.summary.conversationKind, 'groupChat');
  });

  it('the activity log holds one record per activity, each with one reason from the vocabulary, in order', async () => {
    const all = await records();
    for (const r of all) assert.ok(r.reason in REASONS, `unknown reason ${r.reason}`);
    assert.deepEqual(all.filter((r) => r.direction === 'inbound').map((r) => [r.reason, r.summary.senderId]), [
      ['group-not-allowlisted', PG.carol.id],
      ['dm-pairing-pending', PG.carol.id],
      ['dm-pairing-pending', PG.dave.id],
      ['dm-allowlisted', PG.carol.id],
      ['group-not-allowlisted', PG.carol.id],
      ['group-allowlisted', PG.carol.id],
    ]);
    // The gateway itself sent the two pairing codes (the CLI sent the approval notice; the bot sent its echoes).
    assert.deepEqual(all.filter((r) => r.direction === 'outbound').map((r) => [r.reason, r.status]), [['sent', 201], ['sent', 201]]);
    const list = await runCli(['pairing', 'list', '--json', ...common()]);
    assert.deepEqual((JSON.parse(list.stdout) as { id: string }[]).map((r) => r.id), [PG.dave.id]);
    assert.equal(pg!.process.alive, true, 'the Playground is still running');
  });
});
