import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../atomicWrite';
import Ajv, { type ValidateFunction } from 'ajv';
import schema from '../../../schema/conversation-test.schema.json';
import { CONVERSATION_SUFFIX, TRANSCRIPT_SUFFIX, ConversationFileError, type ConversationFile, type ConversationTest } from './testFormat';
import { readTestJson } from './conversationOutline';

/** Finds, reads, checks and writes conversation test files (.conversation.json, and .transcript as input). */

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  compiled ??= new Ajv({ allErrors: true, strict: false }).compile(schema);
  return compiled;
}

/** Reads a .conversation.json (or any JSON test file) or a .transcript. Throws ConversationFileError. */
export async function readConversationFile(file: string): Promise<ConversationFile> {
  const read = await readTestJson(file);
  if ('transcript' in read) return { file, name: file, test: read.transcript, updateTarget: updateTargetFor(file) };
  const test = parseConversationTest(read.json, file);
  return { file, name: test.name ?? file, test, updateTarget: file };
}

/** Checks a parsed JSON value against the format and returns it typed. Throws ConversationFileError. */
export function parseConversationTest(json: unknown, file: string): ConversationTest {
  const validate = validator();
  if (!validate(json)) {
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : '(top level)'}: ${e.message ?? 'is invalid'}`);
    throw new ConversationFileError(file, problems);
  }
  const test = json as unknown as ConversationTest;
  const problems = [...regexProblems(test.match, 'match'), ...test.steps.flatMap((s, i) => regexProblems(s.match, `steps.${i}.match`))];
  if (problems.length) throw new ConversationFileError(file, problems);
  return test;
}

function regexProblems(match: Record<string, string> | undefined, where: string): string[] {
  const problems: string[] = [];
  for (const [p, source] of Object.entries(match ?? {})) {
    try {
      new RegExp(source);
    } catch (err) {
      problems.push(`${where}.${p}: not a regular expression (${(err as Error).message})`);
    }
  }
  return problems;
}

/** The text of a test file: two-space JSON with a final newline, keys in the order written. */
export function formatConversationTest(test: ConversationTest): string {
  return `${JSON.stringify(test, null, 2)}\n`;
}

export async function writeConversationFile(file: string, test: ConversationTest): Promise<void> {
  // --update rewrites a file the developer keeps in git: a crash mid-write must leave the old one, not half a new one.
  await writeFileAtomic(file, formatConversationTest(test), { mode: 0o644 });
}

/** NAME.transcript → NAME.conversation.json beside it: a transcript cannot hold the overrides or the invoke responses. */
export function updateTargetFor(file: string): string {
  if (file.endsWith(CONVERSATION_SUFFIX)) return file;
  const base = file.endsWith(TRANSCRIPT_SUFFIX) ? file.slice(0, -TRANSCRIPT_SUFFIX.length) : file.replace(/\.json$/, '');
  return `${base}${CONVERSATION_SUFFIX}`;
}

/** True for the files a directory argument contributes. */
export function isConversationFileName(name: string): boolean {
  return name.endsWith(CONVERSATION_SUFFIX) || name.endsWith(TRANSCRIPT_SUFFIX);
}

/**
 * The test files named on the command line: files as given, directories
 * searched (recursively) for *.conversation.json and *.transcript. In a
 * directory, a .transcript that has a .conversation.json beside it is left
 * out: that file is the transcript's recorded test (see updateTargetFor).
 * Throws ConversationFileError for a path that does not exist.
 */
export async function findConversationFiles(args: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const arg of args) {
    let stat;
    try {
      stat = await fs.stat(arg);
    } catch {
      throw new ConversationFileError(arg, ['no such file or directory']);
    }
    if (!stat.isDirectory()) {
      found.push(arg);
      continue;
    }
    const names = (await fs.readdir(arg, { recursive: true })).map(String).filter(isConversationFileName).sort();
    const inDir = new Set(names);
    for (const name of names) {
      if (name.endsWith(TRANSCRIPT_SUFFIX) && inDir.has(updateTargetFor(name))) continue;
      found.push(path.join(arg, name));
    }
  }
  return [...new Set(found)];
}
