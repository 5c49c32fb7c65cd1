// extensionTestsPath entry of the extension suite (test/extension/runInVsCode.ts).
import { runMochaInHost } from '../mochaInHost';

export function run(): Promise<void> {
  return runMochaInHost(__dirname, 30_000);
}
