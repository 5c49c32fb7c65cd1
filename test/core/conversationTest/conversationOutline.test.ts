import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readConversationOutline } from '../../../src/core/conversationTest/conversationOutline';
import { readConversationFile } from '../../../src/core/conversationTest/conversationFile';
import { stepTitle } from '../../../src/core/conversationTest/diffText';
import { ConversationFileError } from '../../../src/core/conversationTest/testFormat';

/** The Test Explorer's step list, read without the schema validator, names steps as the runner's reports do. */
describe('readConversationOutline (the light reader behind the Test Explorer)', () => {
  let dir: string;
  beforeEach(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'outline-')); });
  afterEach(async () => { await fs.rm(dir, { recursive: true, force: true }); });

  it('lists the name and the same step titles as the full reader gives', async () => {
    const file = path.join(dir, 'a.conversation.json');
    const test = { name: 'orders', steps: [
      { inbound: { type: 'message', text: 'card' }, replies: [] },
      { name: 'the submit', inbound: { type: 'invoke', name: 'adaptiveCard/action' }, replies: [] },
    ] };
    await fs.writeFile(file, JSON.stringify(test));
    const outline = await readConversationOutline(file);
    const full = await readConversationFile(file);
    assert.equal(outline.name, 'orders');
    assert.deepEqual(outline.steps, full.test.steps.map((s, i) => stepTitle(i + 1, s.inbound, s.name)));
    assert.deepEqual(outline.steps, ['step 1: message "card"', 'step 2: the submit']);
  });

  it('a file with no steps to list is a ConversationFileError naming it', async () => {
    const file = path.join(dir, 'b.conversation.json');
    await fs.writeFile(file, '{"name":"x"}');
    await assert.rejects(readConversationOutline(file), (err: unknown) => err instanceof ConversationFileError && err.message.startsWith(`${file}: steps`));
    await fs.writeFile(file, '{ nope');
    await assert.rejects(readConversationOutline(file), /is not valid JSON/);
  });
});
