import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findConversationFiles, parseConversationTest, readConversationFile, formatConversationTest, updateTargetFor, writeConversationFile } from '../../../src/core/conversationTest/conversationFile';
import { ConversationFileError } from '../../../src/core/conversationTest/testFormat';
import { transcriptToConversation } from '../../../src/core/conversationTest/transcriptInput';
import { toTranscript } from '../../../src/core/activity/transcript';
import type { ActivityRecord } from '../../../src/core/activity/activityRecord';

const FIXTURES = path.resolve(__dirname, '..', '..', 'fixtures', 'conversations');
const user = { id: '29:alice', name: 'Alice', role: 'user' };
const bot = { id: '28:bot', name: 'Bot', role: 'bot' };

describe('conversation tests: the file format', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tbd-conv-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('reads the recorded fixtures: every step has an inbound activity, replies, and an invoke response for the invoke', async () => {
    const cards = await readConversationFile(path.join(FIXTURES, 'cards.conversation.json'));
    assert.equal(cards.name, 'card bot: an Adaptive Card, its button, a message');
    assert.deepEqual(cards.test.steps.map((s) => [s.inbound.type, s.replies?.length, s.invokeResponse?.status]), [['message', 1, undefined], ['invoke', 1, 200], ['message', 1, undefined]]);
    assert.equal(cards.updateTarget, cards.file);
  });

  it('says what is wrong with a file that is not in the format, with the path of each problem', async () => {
    const bad = path.join(dir, 'bad.conversation.json');
    await fs.writeFile(bad, JSON.stringify({ steps: [{ inbound: { text: 'no type' }, replies: 'none' }], extra: 1 }));
    await assert.rejects(readConversationFile(bad), (err: ConversationFileError) => {
      assert.ok(err instanceof ConversationFileError);
      assert.ok(err.problems.includes("steps.0.inbound: must have required property 'type'"), err.message);
      assert.ok(err.problems.includes('steps.0.replies: must be array'), err.message);
      assert.ok(err.problems.includes('(top level): must NOT have additional properties'), err.message);
      return true;
    });
    await fs.writeFile(bad, '{ "steps": [');
    await assert.rejects(readConversationFile(bad), /bad\.conversation\.json: is not valid JSON/);
    await assert.rejects(readConversationFile(path.join(dir, 'none.conversation.json')), /none\.conversation\.json: no such file/);
    assert.throws(() => parseConversationTest({ steps: [], match: { text: '(' } }, 'x.json'), /match\.text: not a regular expression/);
  });

  it('writes two-space JSON with a final newline that reads back the same', () => {
    const test = { steps: [{ inbound: { type: 'message', text: 'hi' }, replies: [{ type: 'message', text: 'Echo: hi' }] }] };
    const text = formatConversationTest(test);
    assert.ok(text.endsWith('}\n'));
    assert.deepEqual(parseConversationTest(JSON.parse(text), 'x'), test);
  });

  it('a .transcript: each user activity is a step, the bot activities after it its replies, invokeResponse its invoke response', () => {
    const test = transcriptToConversation([
      { type: 'message', from: bot, text: 'a greeting before anyone spoke: not a step' },
      { type: 'conversationUpdate', from: user, recipient: bot },
      { type: 'message', from: user, recipient: bot, text: 'card' },
      { type: 'message', from: bot, recipient: user, text: 'here is a card', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: {} }] },
      { type: 'typing', from: bot, recipient: user },
      { type: 'invoke', name: 'adaptiveCard/action', from: user, recipient: bot, value: { action: { verb: 'ok' } } },
      { type: 'invokeResponse', from: bot, value: { status: 200, body: { statusCode: 200, value: 'done' } } },
    ], 'x.transcript');
    assert.deepEqual(test.steps.map((s) => [s.inbound.type, s.replies?.map((r) => r.type), s.invokeResponse]), [
      ['conversationUpdate', [], undefined],
      ['message', ['message', 'typing'], undefined],
      ['invoke', [], { status: 200, body: { statusCode: 200, value: 'done' } }],
    ]);
  });

  it('an inbound-only transcript (this project\'s export of Teams traffic) has nothing recorded yet', () => {
    const records: ActivityRecord[] = [1, 2].map((n) => ({
      id: `0${n}`, time: `2026-11-21T08:15:0${n}.000Z`, direction: 'inbound', source: 'tunnel', status: 200, latencyMs: 1, auth: 'jwt-valid', fate: 'delivered', reason: 'dm-allowlisted', detail: '',
      summary: { senderId: '29:bob' },
      activity: { type: 'message', id: `m${n}`, text: `hello ${n}`, from: { id: '29:bob' }, recipient: { id: '28:bot' }, conversation: { id: 'a:bob' } },
    }));
    const test = transcriptToConversation(JSON.parse(toTranscript(records)), 'teams.transcript');
    assert.deepEqual(test.steps.map((s) => [s.inbound.text, s.replies]), [['hello 1', undefined], ['hello 2', undefined]]);
  });

  it('refuses a transcript that is not an array of activities, or has no user activity', () => {
    assert.throws(() => transcriptToConversation({ activities: [] }, 'x.transcript'), /must be a JSON array/);
    assert.throws(() => transcriptToConversation([{ type: 'message' }, 'text'], 'x.transcript'), /1: not an activity/);
    assert.throws(() => transcriptToConversation([{ type: 'message', from: bot }], 'x.transcript'), /no activity from the user/);
  });

  it('--update writes a transcript\'s test beside it; a directory leaves out a transcript that has one', async () => {
    assert.equal(updateTargetFor('a/b/chat.transcript'), 'a/b/chat.conversation.json');
    assert.equal(updateTargetFor('a/chat.conversation.json'), 'a/chat.conversation.json');
    await fs.mkdir(path.join(dir, 'sub'));
    for (const name of ['one.transcript', 'one.conversation.json', 'two.transcript', 'sub/three.conversation.json', 'notes.md']) await fs.writeFile(path.join(dir, name), '[]');
    assert.deepEqual(await findConversationFiles([dir]), [
      path.join(dir, 'one.conversation.json'),
      path.join(dir, 'sub/three.conversation.json'),
      path.join(dir, 'two.transcript'),
    ]);
    // A file named on the command line is always taken.
    assert.deepEqual(await findConversationFiles([path.join(dir, 'one.transcript')]), [path.join(dir, 'one.transcript')]);
    await assert.rejects(findConversationFiles([path.join(dir, 'missing')]), /no such file or directory/);
  });

  it('--update replaces a test file whole (a new file renamed over the old), never rewrites it in place where a crash would leave half of it', async () => {
    const file = path.join(dir, 'hello.conversation.json');
    await fs.writeFile(file, formatConversationTest({ steps: [{ inbound: { type: 'message', text: 'old' } }] }));
    const before = await fs.stat(file);
    await writeConversationFile(file, { steps: [{ inbound: { type: 'message', text: 'new' } }] });
    const after = await fs.stat(file);
    assert.notEqual(after.ino, before.ino, 'a new inode: written aside and renamed over the old file');
    assert.equal((await readConversationFile(file)).test.steps[0].inbound.text, 'new');
    assert.deepEqual((await fs.readdir(dir)).sort(), ['hello.conversation.json'], 'no temporary file left behind');
  });
});
