import { promises as fs } from 'node:fs';
import type { Activity } from '../activity/activity';
import { TRANSCRIPT_SUFFIX, ConversationFileError, type ConversationTest } from './testFormat';
import { transcriptToConversation } from './transcriptInput';
import { stepTitle } from './diffText';

/**
 * What a test file holds, read without the schema validator: the extension
 * lists each file's steps in the Test Explorer from this, so listing them
 * never loads dist/gateway.js (Express, the Teams SDK, ajv). The full check
 * (readConversationFile, conversationFile.ts) runs when the test runs.
 */

/** A test file's text as JSON: a .transcript (or a bare array) as the conversation it records, else the parsed value. Throws ConversationFileError. */
export async function readTestJson(file: string): Promise<{ transcript: ConversationTest } | { json: unknown }> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConversationFileError(file, [code === 'ENOENT' ? 'no such file' : `cannot be read (${(err as Error).message})`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConversationFileError(file, [`is not valid JSON: ${(err as Error).message}`]);
  }
  if (file.endsWith(TRANSCRIPT_SUFFIX) || Array.isArray(json)) return { transcript: transcriptToConversation(json, file) };
  return { json };
}

export interface ConversationOutline {
  name?: string;
  /** One title per step, as reports name them ("step 2: message \"hi\""). */
  steps: string[];
}

/** The test's name and step titles. Throws ConversationFileError when the file has no steps to list. */
export async function readConversationOutline(file: string): Promise<ConversationOutline> {
  const read = await readTestJson(file);
  const test = 'transcript' in read ? read.transcript : (read.json as Partial<ConversationTest> | null);
  const steps = test && typeof test === 'object' ? test.steps : undefined;
  if (!Array.isArray(steps) || !steps.every((s) => s && typeof s === 'object' && s.inbound && typeof s.inbound === 'object')) {
    throw new ConversationFileError(file, ['steps: must be an array of steps, each with an inbound activity']);
  }
  return {
    name: typeof test!.name === 'string' ? test!.name : undefined,
    steps: steps.map((s, i) => stepTitle(i + 1, s.inbound as Activity, typeof s.name === 'string' ? s.name : undefined)),
  };
}
