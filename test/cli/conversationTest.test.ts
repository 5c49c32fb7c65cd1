/**
 * `teams-bot-dev test` as a user runs it: the built CLI in a child process,
 * starting the real Teams SDK bots with --bot-command, in a temp folder.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { CLI_JS, REPO_ROOT, childEnv, freePort, makeTempDir, requireBuiltCli, runCli, spawnLines, waitFor } from '../support/cli';
import { parseXml } from '../support/xml';

const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'conversations');
const ECHO_BOT = `node ${JSON.stringify(path.join(REPO_ROOT, 'test', 'fixtures', 'sampleBot', 'echoBot.js'))}`;
const CARD_BOT = `node ${JSON.stringify(path.join(FIXTURES, 'bots', 'cardBot.js'))}`;

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

describe('CLI: teams-bot-dev test', function () {
  this.timeout(60_000);
  let dir: string;

  before(() => requireBuiltCli());
  beforeEach(async () => {
    dir = await makeTempDir('tbd-cli-conv-');
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('starts the bot with PORT, passes a recorded conversation, prints the summary alone on the last line, exits 0, and stops the bot', async () => {
    const port = await freePort();
    const res = await runCli(['test', path.join(FIXTURES, 'echo.conversation.json'), '--bot-command', ECHO_BOT, '--bot-url', `http://127.0.0.1:${port}/api/messages`, '--settle-ms', '100'], { cwd: dir });
    assert.equal(res.code, 0, res.stderr + res.stdout);
    const lines = res.stdout.trimEnd().split('\n');
    assert.equal(lines.at(-1), '3 passed, 0 failed');
    assert.equal(lines.at(-2), '');
    assert.ok(lines.includes('  PASS step 2: message "hello there"'), res.stdout);
    assert.equal(await listening(port), false, 'the bot was stopped after the run');
  });

  it('a bot that changed its reply: exit 1 and a readable diff', async () => {
    const res = await runCli(['test', path.join(FIXTURES, 'cards.conversation.json'), '--bot-command', `GREETING=Howdy ${CARD_BOT}`, '--settle-ms', '100'], { cwd: dir });
    assert.equal(res.code, 1, res.stderr);
    assert.ok(res.stdout.includes([
      '  FAIL step 1: message "card"',
      '    reply 1: text',
      '      - "Hello, here is your order:<at>Alice Wilber</at>"',
      '      + "Howdy, here is your order:<at>Alice Wilber</at>"',
      '  PASS step 2: invoke adaptiveCard/action',
    ].join('\n')), res.stdout);
    assert.match(res.stdout, /\n1 passed, 2 failed\n$/);
  });

  it('--update turns an inbound-only transcript into NAME.conversation.json, which then passes; a directory runs the recorded file', async () => {
    await fs.mkdir(path.join(dir, 'test', 'conversations'), { recursive: true });
    await fs.copyFile(path.join(FIXTURES, 'teams-inbound.transcript'), path.join(dir, 'test', 'conversations', 'teams.transcript'));
    const first = await runCli(['test', '--bot-command', CARD_BOT, '--settle-ms', '100'], { cwd: dir });
    assert.equal(first.code, 1);
    assert.match(first.stdout, /nothing is recorded for this step yet/);

    const update = await runCli(['test', 'test/conversations/teams.transcript', '--update', '--bot-command', CARD_BOT, '--settle-ms', '100'], { cwd: dir });
    assert.equal(update.code, 0, update.stderr);
    assert.match(update.stdout, /recorded the bot's replies in test\/conversations\/teams\.conversation\.json/);
    const recorded = JSON.parse(await fs.readFile(path.join(dir, 'test', 'conversations', 'teams.conversation.json'), 'utf8'));
    assert.equal(recorded.steps[1].invokeResponse.body.value, 'Order for coffee confirmed');

    // No arguments: test/conversations, where the recorded test now stands in for the transcript.
    const again = await runCli(['test', '--bot-command', CARD_BOT, '--settle-ms', '100'], { cwd: dir });
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /^test\/conversations\/teams\.conversation\.json$/m);
    assert.match(again.stdout, /\n2 passed, 0 failed\n$/);
  });

  it('--reporter junit: well-formed XML alone on stdout (the human report on stderr), or in --output FILE', async () => {
    const files = [path.join(FIXTURES, 'cards.conversation.json'), path.join(FIXTURES, 'emulator.transcript')];
    const toStdout = await runCli(['test', files[0], '--reporter', 'junit', '--bot-command', `GREETING=Howdy ${CARD_BOT}`, '--settle-ms', '100'], { cwd: dir });
    assert.equal(toStdout.code, 1);
    const suites = parseXml(toStdout.stdout);
    assert.deepEqual([suites.attributes.tests, suites.attributes.failures], ['3', '2']);
    assert.match(suites.children[0].children[0].children[0].text, /\+ "Howdy, here is your order/);
    assert.match(toStdout.stderr, /\n1 passed, 2 failed\n/);

    const out = path.join(dir, 'junit.xml');
    const toFile = await runCli(['test', files[1], '--reporter', 'junit', '--output', out, '--bot-command', ECHO_BOT, '--settle-ms', '100'], { cwd: dir });
    assert.equal(toFile.code, 0, toFile.stderr);
    assert.match(toFile.stdout, /\n3 passed, 0 failed\n$/);
    const written = parseXml(await fs.readFile(out, 'utf8'));
    assert.deepEqual([written.attributes.tests, written.attributes.failures], ['3', '0']);
  });

  it('test --help: exit 0 and every option', async () => {
    const res = await runCli(['test', '--help'], { cwd: dir });
    assert.equal(res.code, 0, res.stderr);
    for (const option of ['--bot-url <url>', '--bot-command <command>', '--settle-ms <n>', '--update', '--reporter <name>', '--output <file>']) assert.ok(res.stdout.includes(option), `${option}\n${res.stdout}`);
    assert.match(res.stdout, /^Usage: teams-bot-dev test \[options\] \[files\.\.\.\]/);
  });

  it('usage errors exit 2 with a sentence: no bot, no files, a file not in the format, an unknown reporter', async () => {
    const noBot = await runCli(['test', path.join(FIXTURES, 'echo.conversation.json')], { cwd: dir });
    assert.equal(noBot.code, 2);
    assert.match(noBot.stderr, /^error: say which bot to test: --bot-url URL/);
    const noFiles = await runCli(['test', '--bot-url', 'http://127.0.0.1:1/api/messages'], { cwd: dir });
    assert.equal(noFiles.code, 2);
    assert.match(noFiles.stderr, /no test files given and there is no test\/conversations directory/);
    await fs.writeFile(path.join(dir, 'bad.conversation.json'), '{"steps":[{"replies":[]}]}');
    const bad = await runCli(['test', 'bad.conversation.json', '--bot-url', 'http://127.0.0.1:1/api/messages'], { cwd: dir });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /bad\.conversation\.json: steps\.0: must have required property 'inbound'/);
    const reporter = await runCli(['test', 'bad.conversation.json', '--bot-url', 'http://127.0.0.1:1/api/messages', '--reporter', 'tap'], { cwd: dir });
    assert.equal(reporter.code, 2);
  });

  it('a bot command that exits before listening: exit 1 with what it printed', async () => {
    const res = await runCli(['test', path.join(FIXTURES, 'echo.conversation.json'), '--bot-command', 'echo "Cannot find module index.js" >&2; exit 3'], { cwd: dir });
    assert.equal(res.code, 1);
    assert.match(res.stderr, /^error: The bot command `.*` exited \(code 3\) before listening on port \d+\. Its last output:\n {2}Cannot find module index\.js\n/);
  });

  it('interrupted (SIGTERM) mid-run: the bot it started is killed with it', async () => {
    const port = await freePort();
    // One step whose settle time outlasts the test: the run is still going when it is interrupted.
    const cli = spawnLines('test', process.execPath, [CLI_JS, 'test', path.join(FIXTURES, 'emulator.transcript'), '--bot-command', ECHO_BOT, '--bot-url', `http://127.0.0.1:${port}/api/messages`, '--settle-ms', '600000'], { cwd: dir, env: childEnv() });
    try {
      await waitFor(() => listening(port), 'the bot to listen', 30_000);
      process.kill(cli.pid, 'SIGTERM');
      const exit = await cli.exited;
      assert.deepEqual(exit, { code: 143, signal: null }, cli.output());
      await waitFor(async () => !(await listening(port)), 'the bot to be gone', 10_000);
    } finally {
      await cli.stop();
    }
  });
});
