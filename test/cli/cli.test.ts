/**
 * The real CLI (dist/cli.js, built by `npm run build`; `npm test` builds
 * first) as a user runs it: exit codes, what it prints, and `serve` as a
 * long-running process that is signalled, raced and watched.
 */
import { strict as assert } from 'node:assert';
import { promises as fs, readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import { ActivityLog } from '../../src/core/activity/activityLog';
import { PairingStore } from '../../src/core/pairing/pairingStore';
import type { ActivityRecord } from '../../src/core/activity/activityRecord';
import type { PairingRequest } from '../../src/core/pairing/pairingRequest';
import { REASONS } from '../../src/core/reasons';
import { personalMessage, startRecordingBot, type RecordingBot } from '../support/gatewayHarness';
import { startFakeConnector, type FakeConnector } from '../support/fakeConnector';
import {
  REPO_ROOT, freePort, groupAlive, makeTempDir, postJson, requireBuiltCli, runCli, spawnServe, startServe, waitFor,
  type LineProcess,
} from '../support/cli';

const VERSION = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const CAROL = { id: '29:carol', name: 'Carol Tester', aadObjectId: 'aaaaaaaa-0000-0000-0000-00000000c0c0' };
const DAVE = { id: '29:dave', name: 'Dave Other', aadObjectId: 'aaaaaaaa-0000-0000-0000-00000000dddd' };
const FRIEND = { id: '29:friend', name: 'Friend', aadObjectId: 'aaaaaaaa-0000-0000-0000-00000000f00d' };
const TIME = /^\d\d:\d\d:\d\d\.\d{3} /;

describe('CLI (dist/cli.js)', function () {
  this.timeout(60_000);

  let dir: string;
  let configFile: string;
  let stateDir: string;
  const running: LineProcess[] = [];
  const common = () => ['--config', configFile, '--state-dir', stateDir];

  /** serve, stopped and checked for strays after each test. */
  async function serveWith(args: string[]) {
    const started = await startServe(args);
    running.push(started.serve);
    return started;
  }

  // Builds dist/ from the current sources unless this run already did (hang guard: a build on a busy machine).
  before(function () {
    this.timeout(5 * 60_000);
    requireBuiltCli();
  });
  beforeEach(async () => {
    dir = await makeTempDir('tbd-cli-');
    configFile = path.join(dir, 'teams-bot.config.json');
    stateDir = path.join(dir, 'state');
  });
  afterEach(async () => {
    for (const p of running.splice(0)) {
      await p.stop();
      assert.equal(groupAlive(p.pid), false, `${p.name} left processes behind`);
    }
    await fs.rm(dir, { recursive: true, force: true });
  });

  describe('help and usage', () => {
    const commands: [string[], string[]][] = [
      [[], ['serve', 'pairing', 'activities', 'config', '-V, --version', '-h, --help']],
      [['serve'], ['--config <file>', '--state-dir <dir>', '--port <n>', '--host <address>', '--bot-url <url>', '--echo', '-h, --help']],
      [['pairing'], ['list', 'approve [options] <code>', 'reject [options] <code>']],
      [['pairing', 'list'], ['--config <file>', '--state-dir <dir>', '--json']],
      [['pairing', 'approve'], ['<code>', '--config <file>', '--state-dir <dir>']],
      [['pairing', 'reject'], ['<code>', '--config <file>', '--state-dir <dir>']],
      [['activities'], ['--config <file>', '--state-dir <dir>', '--dropped', '--json', '--limit <n>']],
      [['config'], ['validate', 'init']],
      [['config', 'validate'], ['--config <file>', '--state-dir <dir>']],
      [['config', 'init'], ['--config <file>', '--force']],
      [['credentials'], ['check [options]']],
      [['credentials', 'check'], ['--config <file>', '--state-dir <dir>', '--json']],
    ];
    for (const [cmd, options] of commands) {
      it(`${['teams-bot-dev', ...cmd].join(' ')} --help: exit 0 and lists ${options.length} entries`, async () => {
        const res = await runCli([...cmd, '--help']);
        assert.equal(res.code, 0, res.stderr);
        assert.ok(res.stdout.startsWith(`Usage: teams-bot-dev${cmd.length ? ` ${cmd.join(' ')}` : ''} `), res.stdout);
        for (const option of options) assert.ok(res.stdout.includes(option), `missing ${option}:\n${res.stdout}`);
        assert.equal(res.stderr, '');
      });
    }

    it('--version prints the package version', async () => {
      const res = await runCli(['--version']);
      assert.equal(res.code, 0);
      assert.equal(res.stdout, `${VERSION}\n`);
    });

    const usage: [string, string[], RegExp][] = [
      ['unknown command', ['frobnicate'], /^error: unknown command 'frobnicate'$/m],
      ['unknown subcommand', ['pairing', 'frob'], /^error: unknown command 'frob'$/m],
      ['unknown option', ['activities', '--nope'], /^error: unknown option '--nope'$/m],
      ['missing argument', ['pairing', 'approve'], /^error: missing required argument 'code'$/m],
      ['--port abc', ['serve', '--port', 'abc'], /^error: option '--port <n>' argument 'abc' is invalid\. must be a port number from 0 to 65535\.$/m],
      ['--port 70000', ['serve', '--port', '70000'], /argument '70000' is invalid/],
      ['--bot-url ftp://…', ['serve', '--bot-url', 'ftp://127.0.0.1/bot'], /^error: option '--bot-url <url>' argument 'ftp:\/\/127\.0\.0\.1\/bot' is invalid\. must be an http:\/\/ or https:\/\/ URL/m],
      ['--bot-url not a URL', ['serve', '--bot-url', 'localhost:3979'], /argument 'localhost:3979' is invalid\. must be an http:\/\/ or https:\/\/ URL/],
      ['--limit 0', ['activities', '--limit', '0'], /^error: option '--limit <n>' argument '0' is invalid\. must be a whole number of at least 1\.$/m],
      ['option without its value', ['serve', '--config'], /^error: option '--config <file>' argument missing$/m],
    ];
    for (const [name, args, message] of usage) {
      it(`usage error (${name}) exits 2 and says what was wrong`, async () => {
        const res = await runCli(args);
        assert.equal(res.code, 2, `${res.stdout}\n${res.stderr}`);
        assert.match(res.stderr, message);
        assert.match(res.stderr, /\(run with --help for usage\)/);
        assert.equal(res.stdout, '');
      });
    }

    it('--bot-url with --echo is a user error (exit 1), not a crash', async () => {
      const res = await runCli(['serve', ...common(), '--port', '0', '--echo', '--bot-url', 'http://127.0.0.1:1/api/messages']);
      assert.equal(res.code, 1);
      assert.equal(res.stderr, 'error: --bot-url and --echo exclude each other: choose one.\n');
    });
  });

  describe('config validate / init', () => {
    it('exit 0 on a valid file', async () => {
      await fs.writeFile(configFile, `// mine\n{ "dmPolicy": "allowlist", "allowFrom": ["${CAROL.aadObjectId}"] }\n`);
      const res = await runCli(['config', 'validate', ...common()]);
      assert.equal(res.code, 0, res.stdout + res.stderr);
      assert.equal(res.stdout, `${configFile} is valid.\n`);
    });

    it('exit 0 on a valid file with warnings, which are printed with line:col', async () => {
      await fs.writeFile(configFile, '{ "dmPolicy": "allowlist", "allowFrom": ["aad-1"] }\n');
      const res = await runCli(['config', 'validate', ...common()]);
      assert.equal(res.code, 0, res.stdout + res.stderr);
      const lines = res.stdout.trimEnd().split('\n');
      assert.match(lines[0], /^warning: allowFrom\[0\]: "aad-1" is neither an AAD object id .* \(line 1, col 42\)$/);
      assert.deepEqual(lines.slice(1), [`${configFile} is valid (1 warning).`]);
    });

    it('exit 1 listing every error as "path: message (line L, col C)"', async () => {
      await fs.writeFile(configFile, '{\n  // comment\n  "dmPolicy": "sometimes",\n  "webhook": { "port": "x" },\n  "bogusKey": 1\n}\n');
      const res = await runCli(['config', 'validate', ...common()]);
      assert.equal(res.code, 1);
      const lines = res.stdout.trimEnd().split('\n');
      assert.equal(lines.length, 4, res.stdout);
      assert.equal(lines[0], 'error: dmPolicy: must be one of pairing, allowlist, open, disabled (line 3, col 15)');
      assert.equal(lines[1], 'error: webhook.port: must be a whole number (line 4, col 24)');
      assert.match(lines[2], /^error: bogusKey: unknown key "bogusKey".* \(line 5, col 3\)$/);
      assert.equal(lines[3], `${configFile} is invalid: 3 errors.`);
    });

    it('exit 1 with line:col for a JSON syntax error', async () => {
      await fs.writeFile(configFile, '{\n  "dmPolicy": "pairing"\n  "groupPolicy": "open"\n}\n');
      const res = await runCli(['config', 'validate', ...common()]);
      assert.equal(res.code, 1);
      assert.match(res.stdout, /^error: JSON syntax error: .*\(line 3, col 3\)$/m);
    });

    it('exit 1 with one sentence for a missing file', async () => {
      const res = await runCli(['config', 'validate', ...common()]);
      assert.equal(res.code, 1);
      assert.equal(res.stderr, `error: ${configFile} does not exist: create it with \`teams-bot-dev config init\`, or pass --config FILE.\n`);
      assert.equal(res.stdout, '');
    });

    it('config init writes a commented file that validates; again without --force is refused; --force replaces', async () => {
      const init = await runCli(['config', 'init', ...common()]);
      assert.equal(init.code, 0, init.stderr);
      assert.equal(init.stdout, `Wrote ${configFile}. Start the gateway with \`teams-bot-dev serve\`.\n`);
      const text = await fs.readFile(configFile, 'utf8');
      assert.match(text, /^\s*\/\//m, 'the starter file has comments');
      assert.equal(parseJsonc(text).dmPolicy, 'pairing');
      const valid = await runCli(['config', 'validate', ...common()]);
      assert.equal(valid.code, 0, valid.stdout);

      await fs.writeFile(configFile, '{ "dmPolicy": "open" }\n');
      const again = await runCli(['config', 'init', ...common()]);
      assert.equal(again.code, 1);
      assert.equal(again.stderr, `error: ${configFile} already exists: edit it, or pass --force to replace it.\n`);
      assert.equal(await fs.readFile(configFile, 'utf8'), '{ "dmPolicy": "open" }\n', 'untouched');
      const forced = await runCli(['config', 'init', '--force', ...common()]);
      assert.equal(forced.code, 0);
      assert.equal(await fs.readFile(configFile, 'utf8'), text);
    });
  });

  describe('pairing list / approve / reject', () => {
    let connector: FakeConnector;
    let carol: PairingRequest;
    let dave: PairingRequest;

    beforeEach(async () => {
      connector = await startFakeConnector();
      await fs.writeFile(configFile, '// team config\n{\n  "dmPolicy": "pairing",\n  "allowFrom": []\n}\n');
    });
    afterEach(() => connector.stop());

    async function seed(): Promise<void> {
      const store = new PairingStore({ file: path.join(stateDir, 'pairing.json'), ttlMinutes: 60, maxPending: 20 });
      const meta = (who: typeof CAROL) => ({ name: who.name, aadObjectId: who.aadObjectId, conversationId: `a:personal-${who.id}`, serviceUrl: connector.serviceUrl, botId: '28:bot', botName: 'GatewayBot' });
      const a = await store.touch({ id: CAROL.id, meta: meta(CAROL) });
      const b = await store.touch({ id: DAVE.id, meta: meta(DAVE) });
      store.close();
      assert.ok(a.kind === 'created' && b.kind === 'created');
      carol = a.request;
      dave = b.request;
    }

    it('empty: a sentence, and [] with --json', async () => {
      const text = await runCli(['pairing', 'list', ...common()]);
      assert.equal(text.code, 0);
      assert.equal(text.stdout, 'No pending pairing requests.\n');
      const json = await runCli(['pairing', 'list', '--json', ...common()]);
      assert.equal(json.code, 0);
      assert.deepEqual(JSON.parse(json.stdout), []);
    });

    it('with entries: a table, and the requests with --json', async () => {
      await seed();
      const text = await runCli(['pairing', 'list', ...common()]);
      assert.equal(text.code, 0, text.stderr);
      const rows = text.stdout.trimEnd().split('\n');
      assert.equal(rows.length, 3, text.stdout);
      assert.match(rows[0], /^CODE\s+NAME\s+SENDER\s+MESSAGES\s+REQUESTED\s+LAST SEEN$/);
      assert.match(rows[1], new RegExp(`^${carol.code}\\s+Carol Tester\\s+${CAROL.aadObjectId}\\s+1\\s+just now\\s+just now$`));
      assert.match(rows[2], new RegExp(`^${dave.code}\\s+Dave Other\\s+${DAVE.aadObjectId}\\s+1\\s+`));
      const json = await runCli(['pairing', 'list', '--json', ...common()]);
      const list = JSON.parse(json.stdout) as PairingRequest[];
      assert.deepEqual(list.map((r) => [r.id, r.code, r.meta.count]), [[CAROL.id, carol.code, 1], [DAVE.id, dave.code, 1]]);
    });

    it('approve BADCODE: exit 1 with one sentence naming the pending codes', async () => {
      await seed();
      const res = await runCli(['pairing', 'approve', 'ZZZZ-ZZZZ', ...common()]);
      assert.equal(res.code, 1);
      assert.equal(res.stderr, `error: No pending pairing request has code ZZZZZZZZ (pending codes: ${carol.code}, ${dave.code}). Codes expire after pairing.codeTtlMinutes; the sender gets a new one by writing again.\n`);
      assert.equal((await fs.readFile(configFile, 'utf8')).includes('aaaaaaaa'), false, 'allowFrom untouched');
    });

    it('approve CODE (any case, with a dash): the sender goes into the state dir\'s allow store (DMs only), the config is untouched, the sender is told, the request is gone', async () => {
      await seed();
      const before = await fs.readFile(configFile, 'utf8');
      const res = await runCli(['pairing', 'approve', `${carol.code.slice(0, 4).toLowerCase()}-${carol.code.slice(4)}`, ...common()]);
      assert.equal(res.code, 0, res.stderr);
      const out = res.stdout.split('\n');
      assert.equal(out[0].replace(TIME, ''), `INFO  [msteams] pairing approved code=${carol.code} sender=${CAROL.id} approved+=${CAROL.aadObjectId} (personal chats only)`);
      assert.deepEqual(out.slice(1), [
        `Approved ${carol.code}: Carol Tester (${CAROL.id}) can now message the bot in a personal chat (${path.join(stateDir, 'allowFrom.json')}, as ${CAROL.aadObjectId}). Group chats and channels still follow groupAllowFrom/allowFrom in the config: \`teams-bot-dev pairing promote ${CAROL.aadObjectId}\` adds them there.`,
        'The sender was told they are approved.',
        '',
      ]);
      assert.equal(await fs.readFile(configFile, 'utf8'), before, 'the config is not touched');
      const store = JSON.parse(await fs.readFile(path.join(stateDir, 'allowFrom.json'), 'utf8'));
      assert.deepEqual(store.allowFrom, [CAROL.aadObjectId]);
      assert.equal(connector.received.length, 1);
      assert.equal(connector.received[0].conversationId, `a:personal-${CAROL.id}`);
      assert.equal((connector.received[0].body as { text: string }).text, 'Carol, you are approved: your messages now reach the bot. Send your message again.');
      const list = JSON.parse((await runCli(['pairing', 'list', '--json', ...common()])).stdout) as PairingRequest[];
      assert.deepEqual(list.map((r) => r.id), [DAVE.id]);
    });

    it('reject CODE: the request is gone, allowFrom and the sender untouched', async () => {
      await seed();
      const before = await fs.readFile(configFile, 'utf8');
      const res = await runCli(['pairing', 'reject', dave.code, ...common()]);
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stdout.split('\n').filter((l) => !TIME.test(l)).join('\n'), `Rejected ${dave.code}: Dave Other (${DAVE.id}) stays unable to message the bot; a new message from them creates a new code.\n`);
      assert.equal(await fs.readFile(configFile, 'utf8'), before);
      assert.equal(connector.received.length, 0);
      const list = JSON.parse((await runCli(['pairing', 'list', '--json', ...common()])).stdout) as PairingRequest[];
      assert.deepEqual(list.map((r) => r.id), [CAROL.id]);
      const again = await runCli(['pairing', 'reject', dave.code, ...common()]);
      assert.equal(again.code, 1);
      assert.match(again.stderr, new RegExp(`^error: No pending pairing request has code ${dave.code} \\(pending codes: ${carol.code}\\)\\. .*\\n$`));
    });
  });

  describe('activities', () => {
    async function seed(): Promise<ActivityRecord[]> {
      const log = new ActivityLog({ dir: stateDir });
      await log.load();
      const rec = (reason: keyof typeof REASONS, text: string, status: number) =>
        log.record({ direction: 'inbound', source: 'loopback', status, latencyMs: 1, auth: 'local', fate: REASONS[reason].fate, reason, detail: text, summary: { type: 'message', senderId: CAROL.id, senderName: CAROL.name, text } });
      const made = [
        rec('dm-pairing-pending', 'first', 200),
        rec('dm-allowlisted', 'second', 200),
        rec('malformed-json', 'third', 400),
        rec('echo', 'fourth', 200),
        rec('bot-unreachable', 'fifth', 502),
      ];
      await log.close();
      return made;
    }

    it('nothing recorded yet: a sentence (and [] with --json)', async () => {
      const res = await runCli(['activities', ...common()]);
      assert.equal(res.code, 0);
      assert.equal(res.stdout, `No activities recorded in ${stateDir} yet.\n`);
      const dropped = await runCli(['activities', '--dropped', ...common()]);
      assert.equal(dropped.stdout, 'Nothing was dropped, rejected or failed.\n');
      assert.deepEqual(JSON.parse((await runCli(['activities', '--json', ...common()])).stdout), []);
    });

    it('a table newest first; --dropped, --json and --limit filter and cap it', async () => {
      const made = await seed();
      const table = await runCli(['activities', ...common()]);
      assert.equal(table.code, 0, table.stderr);
      const rows = table.stdout.trimEnd().split('\n');
      assert.match(rows[0], /^TIME\s+DIR\s+STATUS\s+FATE\s+REASON\s+TYPE\s+SENDER\s+TEXT$/);
      assert.deepEqual(rows.slice(1).map((r) => r.split(/\s{2,}/).slice(1)), [
        ['in', '502', 'failed', 'bot-unreachable', 'message', 'Carol Tester', 'fifth'],
        ['in', '200', 'delivered', 'echo', 'message', 'Carol Tester', 'fourth'],
        ['in', '400', 'rejected', 'malformed-json', 'message', 'Carol Tester', 'third'],
        ['in', '200', 'delivered', 'dm-allowlisted', 'message', 'Carol Tester', 'second'],
        ['in', '200', 'dropped', 'dm-pairing-pending', 'message', 'Carol Tester', 'first'],
      ]);

      const dropped = await runCli(['activities', '--dropped', '--json', ...common()]);
      assert.deepEqual((JSON.parse(dropped.stdout) as ActivityRecord[]).map((r) => r.reason), ['bot-unreachable', 'malformed-json', 'dm-pairing-pending']);
      const droppedTable = await runCli(['activities', '--dropped', ...common()]);
      assert.equal(droppedTable.stdout.trimEnd().split('\n').length, 4);

      const json = await runCli(['activities', '--json', ...common()]);
      const records = JSON.parse(json.stdout) as ActivityRecord[];
      assert.deepEqual(records.map((r) => r.id), made.map((r) => r.id).reverse());
      assert.deepEqual(records[0], made[4]);

      const limited = await runCli(['activities', '--json', '--limit', '2', ...common()]);
      assert.deepEqual((JSON.parse(limited.stdout) as ActivityRecord[]).map((r) => r.summary.text), ['fifth', 'fourth']);
      const limitedTable = await runCli(['activities', '--limit', '1', '--dropped', ...common()]);
      assert.equal(limitedTable.stdout.trimEnd().split('\n').length, 2);
      assert.match(limitedTable.stdout, /bot-unreachable/);
    });
  });

  describe('serve', () => {
    let connector: FakeConnector;
    beforeEach(async () => {
      connector = await startFakeConnector();
    });
    afterEach(() => connector.stop());

    it('prints "Listening on http://127.0.0.1:PORT/api/messages" and logs one line per activity with its fate and reason', async () => {
      await fs.writeFile(configFile, JSON.stringify({ dmPolicy: 'pairing', allowFrom: [FRIEND.aadObjectId], groupPolicy: 'allowlist' }));
      const port = await freePort();
      const { serve, url } = await serveWith([...common(), '--port', String(port), '--echo']);
      assert.equal(url, `http://127.0.0.1:${port}/api/messages`);
      assert.equal(serve.lines.filter((l) => l.raw.startsWith('Listening on ')).length, 1);
      const mark = serve.lines.length;

      // stdout (info) and stderr (warn) are separate pipes: wait for each line before the next request.
      const perActivity = () => serve.lines.slice(mark).filter((l) => /\[msteams\] (pairing request|delivered|dropped|rejected|failed)/.test(l.message));
      const expectLine = async (status: number, actual: number, line: string | RegExp) => {
        assert.equal(actual, status);
        const test = (raw: string) => (typeof line === 'string' ? raw === line : line.test(raw));
        await serve.waitForLine((l) => test(l.raw.replace(TIME, '')), 10_000, mark);
      };

      const stranger = await postJson(url, personalMessage(CAROL, 'hi', connector.serviceUrl));
      const code = (stranger.json.detail as string).match(/\(code ([A-Z0-9]{8})\)$/)![1];
      await expectLine(200, stranger.status, `INFO  [msteams] pairing request sender=${CAROL.id} code=${code}`);
      const friend = await postJson(url, personalMessage(FRIEND, 'hello', connector.serviceUrl));
      await expectLine(200, friend.status, `INFO  [msteams] delivered message from ${FRIEND.id} to the echo bot (dm-allowlisted)`);
      const bad = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":' });
      await expectLine(400, bad.status, /^WARN  \[msteams\] rejected HTTP 400 reason=malformed-json: the body is not valid JSON: /);
      const group = await postJson(url, personalMessage(DAVE, 'in a group', connector.serviceUrl, { conversation: { id: '19:g@thread.v2', conversationType: 'groupChat', isGroup: true } }));
      await expectLine(200, group.status, 'INFO  [msteams] dropped message reason=group-not-allowlisted sender=29:dave: group chat message from Dave Other (29:dave, aadObjectId aaaaaaaa-0000-0000-0000-00000000dddd), who is not in allowFrom');
      const wrong = await postJson(`http://127.0.0.1:${port}/api/other`, personalMessage(FRIEND, 'x', connector.serviceUrl));
      await expectLine(404, wrong.status, 'WARN  [msteams] rejected HTTP 404 reason=wrong-path: POST /api/other (webhook.path is /api/messages)');
      assert.equal(perActivity().length, 5, perActivity().map((l) => l.raw).join('\n'));
      // Outbound sends (the pairing code, the echo) get their own lines.
      await serve.waitForLine((l) => l.message === `[msteams] sent pairing code ${code} to a:personal-${CAROL.id}`);
      await serve.waitForLine((l) => l.message === `[msteams] sent echo reply to a:personal-${FRIEND.id}`);
    });

    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      it(`${signal}: exit 0 after flushing: every activity answered before the signal is in activities.jsonl`, async () => {
        await fs.writeFile(configFile, JSON.stringify({ dmPolicy: 'open' }));
        const { serve, url } = await serveWith([...common(), '--port', '0', '--echo']);
        const n = 40;
        const answers = await Promise.all(Array.from({ length: n }, (_, i) => postJson(url, personalMessage(CAROL, `burst ${i}`, connector.serviceUrl))));
        assert.ok(answers.every((a) => a.status === 200));
        serve.signal(signal);
        const exit = await serve.exited;
        assert.deepEqual(exit, { code: 0, signal: null }, serve.output());
        assert.ok(serve.lines.some((l) => l.message === `[msteams] ${signal}: finishing in-flight requests and saving the activity log`));
        assert.ok(serve.lines.some((l) => l.message === '[msteams] gateway stopped'));

        const lines = (await fs.readFile(path.join(stateDir, 'activities.jsonl'), 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as ActivityRecord);
        const inbound = lines.filter((r) => r.direction === 'inbound');
        assert.equal(inbound.length, n);
        assert.deepEqual(new Set(inbound.map((r) => r.summary.text)), new Set(answers.map((_, i) => `burst ${i}`)));
        assert.ok(inbound.every((r) => r.reason === 'echo' && r.fate === 'delivered'));
      });
    }

    it('an invalid config: exit 1, each error with line:col, and nothing listens', async () => {
      await fs.writeFile(configFile, '{\n  "dmPolicy": "sometimes",\n  "webhook": { "port": "x" }\n}\n');
      const port = await freePort();
      const serve = spawnServe([...common(), '--port', String(port)]);
      running.push(serve);
      const exit = await serve.exited;
      assert.deepEqual(exit, { code: 1, signal: null });
      assert.equal(serve.stderr, [
        `error: ${configFile} is invalid (2 errors):`,
        '  dmPolicy: must be one of pairing, allowlist, open, disabled (line 2, col 15)',
        '  webhook.port: must be a whole number (line 3, col 24)',
      ].join('\n'));
      assert.ok(!serve.stdout.includes('Listening on'), serve.stdout);
      await assertPortFree(port);
    });

    it('a busy port: exit 1 with one sentence', async () => {
      const blocker = net.createServer();
      await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
      const port = (blocker.address() as net.AddressInfo).port;
      try {
        const serve = spawnServe([...common(), '--port', String(port), '--echo']);
        running.push(serve);
        const exit = await serve.exited;
        assert.deepEqual(exit, { code: 1, signal: null });
        assert.equal(serve.stderr, `error: Port ${port} on 127.0.0.1 is already in use (another teams-bot-dev, or your bot itself?): stop that process, or choose another port with webhook.port or --port.`);
        assert.ok(!serve.stdout.includes('Listening on'));
      } finally {
        await new Promise((r) => blocker.close(r));
      }
    });

    it('an approval done by the CLI while serve runs takes effect without a restart: the next DM reaches the bot', async () => {
      let bot: RecordingBot | undefined;
      try {
        bot = await startRecordingBot();
        await fs.writeFile(configFile, '// running\n{ "dmPolicy": "pairing" }\n');
        const { serve, url } = await serveWith([...common(), '--port', '0', '--bot-url', bot.url]);
        const first = await postJson(url, personalMessage(CAROL, 'let me in', connector.serviceUrl));
        assert.equal(first.json.reason, 'dm-pairing-pending');
        const code = (first.json.detail as string).match(/\(code ([A-Z0-9]{8})\)$/)![1];
        await serve.waitForLine((l) => l.message === `[msteams] sent pairing code ${code} to a:personal-${CAROL.id}`);

        const approve = await runCli(['pairing', 'approve', code, ...common()]);
        assert.equal(approve.code, 0, approve.stderr);
        // Event-based: the running gateway saw the request leave as approved (10 s is only a hang guard; how fast it is, is not asserted here).
        await waitFor(async () => (await postJson(url, personalMessage(CAROL, 'thanks!', connector.serviceUrl))).headers.get('x-teams-bot-dev-reason') === 'dm-allowlisted', 'the approval to reach the running gateway', 10_000);

        assert.deepEqual(bot.requests.map((r) => r.body.text), ['thanks!']);
        // The running gateway saw the request leave the pending list as approved, not rejected.
        assert.equal((await runCli(['pairing', 'list', '--json', ...common()])).stdout, '[]\n');
        assert.ok(connector.received.some((r) => /you are approved/.test((r.body as { text: string }).text)));
      } finally {
        await bot?.stop();
      }
    });
  });
});

function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      reject(new Error(`something listens on ${port}`));
    });
    socket.once('error', () => resolve());
  });
}
