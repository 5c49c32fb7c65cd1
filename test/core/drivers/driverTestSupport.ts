import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** Paths and environments shared by the driver tests. */
export const FIXTURES = path.resolve(__dirname, '../../fixtures/drivers');
export const BIN = path.resolve(__dirname, '../../fixtures/bin');

export function fixture(relative: string): string {
  return readFileSync(path.join(FIXTURES, relative), 'utf8');
}

/** This process's environment with the stand-in executables first on PATH, plus `extra`. */
export function envWithStandIns(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('FAKE_DEVTUNNEL_') || key.startsWith('FAKE_TEAMS_')) delete env[key];
  }
  env.PATH = `${BIN}${path.delimiter}${process.env.PATH ?? ''}`;
  return { ...env, ...extra };
}

/** A temporary directory removed by the returned cleanup. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function readJsonLines(file: string): unknown[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as unknown);
}
