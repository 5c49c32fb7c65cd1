// extensionTestsPath entry of the F5 suite (test/extension/runF5InVsCode.ts).
import { runMochaInHost } from '../mochaInHost';

export function run(): Promise<void> {
  return runMochaInHost(__dirname, 90_000);
}
