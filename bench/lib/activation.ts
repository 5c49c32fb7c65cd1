/**
 * Hook for "extension activation time inside a real VS Code host". The
 * extension test suite (test/vscode-host) measures activation and writes
 * ACTIVATION_RESULT_FILE as { "activationMs": number, ... }; the bench only
 * reads and reports it, because starting VS Code is that suite's job.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ACTIVATION_RESULT_FILE = 'test-results/activation.json';

export type ActivationResult =
  | { status: 'measured'; activationMs: number; file: string; measuredAt?: string; vscodeVersion?: string }
  | { status: 'not measured'; file: string; why: string };

export function readExtensionActivation(repoRoot: string): ActivationResult {
  const file = path.join(repoRoot, ACTIVATION_RESULT_FILE);
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch {
    return { status: 'not measured', file: ACTIVATION_RESULT_FILE, why: `${ACTIVATION_RESULT_FILE} does not exist (the VS Code host suite writes it)` };
  }
  try {
    const data = JSON.parse(raw) as { activationMs?: unknown; measuredAt?: unknown; vscodeVersion?: unknown };
    if (typeof data.activationMs !== 'number' || !Number.isFinite(data.activationMs)) {
      return { status: 'not measured', file: ACTIVATION_RESULT_FILE, why: `${ACTIVATION_RESULT_FILE} has no numeric activationMs` };
    }
    const measuredAt = typeof data.measuredAt === 'string' ? data.measuredAt : fs.statSync(file).mtime.toISOString();
    return {
      status: 'measured',
      activationMs: data.activationMs,
      file: ACTIVATION_RESULT_FILE,
      measuredAt,
      vscodeVersion: typeof data.vscodeVersion === 'string' ? data.vscodeVersion : undefined,
    };
  } catch (err) {
    return { status: 'not measured', file: ACTIVATION_RESULT_FILE, why: `${ACTIVATION_RESULT_FILE} is not JSON (${(err as Error).message})` };
  }
}
