import type { Difference } from './compare';

/** What a run of conversation tests found: one result per step, grouped by file. The reporters read only this. */

export interface StepResult {
  /** 1-based, as reports show it. */
  index: number;
  /** "step 2: message "card"", or the step's own name. */
  title: string;
  status: 'passed' | 'failed' | 'updated';
  /** Why the step failed without a comparison: not delivered, a bot error, nothing recorded, never quiet. */
  problems: string[];
  differences: Difference[];
  durationMs: number;
}

export interface FileResult {
  file: string;
  name: string;
  steps: StepResult[];
  /** --update: the file the new recording was written to. */
  updatedFile?: string;
}

export interface RunResult {
  files: FileResult[];
  passed: number;
  failed: number;
}

export function tally(files: FileResult[]): RunResult {
  const steps = files.flatMap((f) => f.steps);
  return { files, passed: steps.filter((s) => s.status !== 'failed').length, failed: steps.filter((s) => s.status === 'failed').length };
}
