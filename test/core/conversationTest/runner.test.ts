/**
 * The replay runner against real @microsoft/teams.apps bots (the sample echo
 * bot and the card bot fixture) as separate processes on loopback, through
 * the real gateway: nothing here stands in for the bot's SDK or the pipeline.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { runConversationTests, type RunOptions } from '../../../src/core/conversationTest/runner';
import { parseConversationTest, readConversationFile } from '../../../src/core/conversationTest/conversationFile';
import { failureText, textReport } from '../../../src/core/conversationTest/diffText';
import { MemoryLogger } from '../../../src/core/logger';
import { REPO_ROOT, childEnv, freePort, makeTempDir, spawnLines, type LineProcess } from '../../support/cli';
import { startRecordingBot } from '../../support/gatewayHarness';

const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'conversations');
const ECHO_BOT = path.join(REPO_ROOT, 'test', 'fixtures', 'sampleBot', 'echoBot.js');
const CARD_BOT = path.join(FIXTURES, 'bots', 'cardBot.js');

interface Bot { process: LineProcess; url: string }

async function startBot(script: string, env: Record<string, string> = {}): Promise<Bot> {
  const port = await freePort();
  const proc = spawnLines(path.basename(script), process.execPath, [script], { env: childEnv({ PORT: String(port), ...env }) });
  await proc.waitForLine(/listening on http/, 30_000);
  return { process: proc, url: `http://127.0.0.1:${port}/api/messages` };
}

async function run(botUrl: string, files: string[], extra: Partial<RunOptions> = {}) {
  const loaded = await Promise.all(files.map((f) => readConversationFile(f)));
  return runConversationTests({ files: loaded, botUrl, settleMs: 100, logger: new MemoryLogger(), ...extra });
}

describe('conversation tests: the replay runner with real Teams SDK bots', function () {
  this.timeout(60_000);
  let echo: Bot;
  let cards: Bot;
  let howdy: Bot;
  let dir: string;

  before(async () => {
    [echo, cards, howdy] = await Promise.all([startBot(ECHO_BOT), startBot(CARD_BOT), startBot(CARD_BOT, { GREETING: 'Howdy' })]);
    dir = await makeTempDir('tbd-conv-run-');
  });
  after(async () => {
    await Promise.all([echo, cards, howdy].filter(Boolean).map((b) => b.process.stop()));
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('the echo bot passes its recorded conversation (an install greeting, two messages)', async () => {
    const result = await run(echo.url, [path.join(FIXTURES, 'echo.conversation.json')]);
    assert.equal(textReport(result).trimEnd().split('\n').at(-1), '3 passed, 0 failed', textReport(result));
    assert.deepEqual(result.files[0].steps.map((s) => s.title), ['step 1: installationUpdate', 'step 2: message "hello there"', 'step 3: message "what can you do?"']);
  });

  it('the card bot passes: an Adaptive Card with suggested actions and a mention, the adaptiveCard/action invoke with its response', async () => {
    const result = await run(cards.url, [path.join(FIXTURES, 'cards.conversation.json')]);
    assert.deepEqual([result.passed, result.failed], [3, 0], textReport(result));
  });

  it('a bot that changed its reply fails with a readable diff; the unchanged step still passes', async () => {
    const result = await run(howdy.url, [path.join(FIXTURES, 'cards.conversation.json')]);
    assert.deepEqual([result.passed, result.failed], [1, 2]);
    const [card, invoke, thanks] = result.files[0].steps;
    assert.equal(invoke.status, 'passed');
    assert.equal(failureText(card), [
      '    reply 1: text',
      '      - "Hello, here is your order:<at>Alice Wilber</at>"',
      '      + "Howdy, here is your order:<at>Alice Wilber</at>"',
    ].join('\n'));
    assert.equal(failureText(thanks), [
      '    reply 1: text',
      '      - "Hello, Alice Wilber! You said: thanks"',
      '      + "Howdy, Alice Wilber! You said: thanks"',
    ].join('\n'));
    const report = textReport(result);
    assert.match(report, /  FAIL step 1: message "card"\n    reply 1: text\n/);
    assert.match(report, /\n1 passed, 2 failed\n$/);
  });

  it('the README\'s example passes against the card bot, and its failure output is what a changed bot prints', async () => {
    const readme = await fs.readFile(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Conversation tests'));
    const example = /```json\n([\s\S]*?)```/.exec(section)![1];
    const shownOutput = /```\n(order a coffee\n[\s\S]*?)```/.exec(section)![1];
    const file = { file: 'README.md', name: 'order a coffee', test: parseConversationTest(JSON.parse(example), 'README.md'), updateTarget: 'README.md' };
    const passed = await runConversationTests({ files: [file], botUrl: cards.url, settleMs: 100, logger: new MemoryLogger() });
    assert.deepEqual([passed.passed, passed.failed], [2, 0], textReport(passed));
    const changed = await runConversationTests({ files: [file], botUrl: howdy.url, settleMs: 100, logger: new MemoryLogger() });
    assert.equal(textReport(changed), shownOutput);
  });

  it('a .transcript from the Bot Framework Emulator is a test as it is', async () => {
    const result = await run(echo.url, [path.join(FIXTURES, 'emulator.transcript')]);
    assert.deepEqual([result.passed, result.failed], [3, 0], textReport(result));
    // --update writes the test beside it with what is compared, not the Emulator's envelope.
    const copy = path.join(dir, 'emulator.transcript');
    await fs.copyFile(path.join(FIXTURES, 'emulator.transcript'), copy);
    const updated = await run(echo.url, [copy], { update: true });
    assert.deepEqual(updated.files[0].steps.map((s) => s.status), ['passed', 'passed', 'passed']);
    const written = JSON.parse(await fs.readFile(path.join(dir, 'emulator.conversation.json'), 'utf8'));
    assert.deepEqual(written.steps.map((s: { replies: unknown }) => s.replies), [[], [{ type: 'message', text: 'Echo: ping' }], [{ type: 'message', text: 'Echo: pong?' }]]);
  });

  it('--update round trip: an inbound-only Teams transcript becomes a test that passes, and fails when the bot changes', async () => {
    const transcript = path.join(dir, 'teams-inbound.transcript');
    await fs.copyFile(path.join(FIXTURES, 'teams-inbound.transcript'), transcript);
    const before = await run(cards.url, [transcript]);
    assert.deepEqual([before.passed, before.failed], [0, 2]);
    assert.match(failureText(before.files[0].steps[0]), /nothing is recorded for this step yet: run `teams-bot-dev test --update`/);

    const recorded = await run(cards.url, [transcript], { update: true });
    const written = path.join(dir, 'teams-inbound.conversation.json');
    assert.equal(recorded.files[0].updatedFile, written);
    assert.deepEqual(recorded.files[0].steps.map((s) => s.status), ['updated', 'updated']);
    const test = JSON.parse(await fs.readFile(written, 'utf8'));
    assert.equal(test.steps[0].replies[0].text, 'Hello, here is your order:<at>Bob Kelly</at>');
    assert.equal(test.steps[0].replies[0].attachments[0].content.type, 'AdaptiveCard');
    assert.equal(test.steps[0].replies[0].id, undefined, 'the envelope is not recorded');
    assert.deepEqual(test.steps[1].replies, [{ type: 'message', text: 'Confirmed: coffee' }]);
    assert.deepEqual(test.steps[1].invokeResponse, { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'Order for coffee confirmed' } });
    assert.equal(await fs.readFile(transcript, 'utf8'), await fs.readFile(path.join(FIXTURES, 'teams-inbound.transcript'), 'utf8'), 'the transcript itself is left alone');

    const again = await run(cards.url, [written]);
    assert.deepEqual([again.passed, again.failed], [2, 0], textReport(again));
    const changed = await run(howdy.url, [written]);
    assert.deepEqual([changed.passed, changed.failed], [1, 1]);

    // Re-recording from the changed bot updates only the step that changed.
    const rerecorded = await run(howdy.url, [written], { update: true });
    assert.deepEqual(rerecorded.files[0].steps.map((s) => s.status), ['updated', 'passed']);
    assert.equal(JSON.parse(await fs.readFile(written, 'utf8')).steps[0].replies[0].text, 'Howdy, here is your order:<at>Bob Kelly</at>');
  });

  it('a bot that cannot be reached fails every step with the gateway\'s reason, and loses no step', async () => {
    const nobody = `http://127.0.0.1:${await freePort()}/api/messages`;
    const result = await run(nobody, [path.join(FIXTURES, 'echo.conversation.json')]);
    assert.deepEqual([result.passed, result.failed], [0, 3]);
    for (const step of result.files[0].steps) assert.match(step.problems[0], /^the gateway reports failed \(bot-unreachable\): cannot reach the bot at /);
  });

  it('a bot that answers HTTP 500 fails the step with bot-error', async () => {
    const broken = await startRecordingBot(() => ({ status: 500, body: { error: 'boom' } }));
    try {
      const result = await run(broken.url, [path.join(FIXTURES, 'echo.conversation.json')]);
      assert.equal(result.failed, 3);
      assert.match(result.files[0].steps[1].problems[0], /^the gateway reports failed \(bot-error\): the bot answered HTTP 500/);
    } finally {
      await broken.stop();
    }
  });

  it('replies a bot sends after its HTTP answer are waited for; a bot that never goes quiet fails the step at the bound', async () => {
    const timers: NodeJS.Timeout[] = [];
    const post = (a: any, text: string) => fetch(`${a.serviceUrl}/v3/conversations/${encodeURIComponent(a.conversation.id)}/activities`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'message', text }),
    });
    const late = await startRecordingBot(({ body }) => {
      if (body.type === 'message') timers.push(setTimeout(() => void post(body, `late: ${body.text}`).catch(() => undefined), 50));
      return { status: 200 };
    });
    const chatty = await startRecordingBot(({ body }) => {
      if (body.type === 'message') timers.push(setInterval(() => void post(body, 'still here').catch(() => undefined), 20));
      return { status: 200 };
    });
    try {
      const file = path.join(dir, 'late.conversation.json');
      await fs.writeFile(file, JSON.stringify({ steps: [{ inbound: { type: 'message', text: 'hi', from: { id: '29:a' }, recipient: { id: '28:b' }, conversation: { id: 'a:1', conversationType: 'personal' } }, replies: [{ type: 'message', text: 'late: hi' }] }] }));
      const ok = await run(late.url, [file], { settleMs: 2000 });
      assert.deepEqual([ok.passed, ok.failed], [1, 0], textReport(ok));
      const never = await run(chatty.url, [file], { settleMs: 200, maxSettleMs: 1000 });
      assert.equal(never.failed, 1);
      assert.match(never.files[0].steps[0].problems[0], /^the bot was still sending replies 1000 ms after its answer/);
    } finally {
      for (const t of timers) clearInterval(t);
      await Promise.all([late.stop(), chatty.stop()]);
    }
  });
});
