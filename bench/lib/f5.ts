/**
 * F5 time-to-ready and extension activation, both measured in this bench run
 * in a real VS Code (code-server + headless chromium, test/vscode-host): the
 * host opens the set-up sample workspace of the F5 suite
 * (test/extension/f5Workspace.ts: stand-in `devtunnel` and `teams`, so the
 * figure is ours and not the network's; the real echo bot), and
 * bench/host/f5InHost.ts presses F5 several times inside it.
 *
 * The extension the host loads is a copy of the bench's dist/ snapshot, so a
 * rebuild of dist/ by someone else during the run does not change what is
 * measured.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { runExtensionTests } from '../../test/vscode-host/vscodeServer';
import { prepareF5Workspace } from '../../test/extension/f5Workspace';
import type { F5HostResult, F5Run } from '../host/f5InHost';
import { median } from './procs';

const REPO = path.resolve(__dirname, '..', '..');
/** What a .vsix ships besides dist/ (see .vscodeignore): the manifest's icons, schemas and snippets. */
const EXTENSION_FILES = ['package.json', 'media', 'schema', 'snippets'];

export interface F5Options {
  /** The bench's copy of dist/. */
  dist: string;
  work: string;
  /** F5 presses in one window; the first is reported apart (cold). */
  runs: number;
  log: (line: string) => void;
}

type Phase = keyof F5Run['ms'];

export interface F5Result {
  activation: { status: 'measured'; activationMs: number; vscodeVersion: string } | { status: 'not measured'; why: string };
  f5:
    | {
        status: 'measured';
        host: string;
        placement: string;
        /** 1-minute load average before and after the window ran: a busy machine shows in every phase. */
        loadAverage: { before: number; after: number };
        /** The first F5 of the window, ms from F5 to each phase. */
        cold: Partial<Record<Phase, number>>;
        coldEndpointUpdated: boolean;
        /** Later F5s in the same window: median ms from F5 to each phase, and min/max to ready. */
        warm: Partial<Record<Phase, number>>;
        warmRuns: number;
        warmReadyMinMs: number;
        warmReadyMaxMs: number;
        runs: F5Run[];
      }
    | { status: 'not measured'; why: string };
}

export async function measureF5(opts: F5Options): Promise<F5Result> {
  const dir = path.join(opts.work, 'f5');
  fs.mkdirSync(dir, { recursive: true });
  const extension = copyExtension(opts.dist, path.join(dir, 'extension'));
  const entry = path.join(dir, 'host', 'index.js');
  await esbuild.build({
    entryPoints: [path.join(REPO, 'bench', 'host', 'f5InHost.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile: entry,
    external: ['vscode'],
    logLevel: 'warning',
  });
  const ws = await prepareF5Workspace();
  const hostLog = path.join(dir, 'host.log');
  const lines: string[] = [];
  const resultsFile = path.join(REPO, 'test-results', 'bench-f5', 'results.json');
  try {
    const loadBefore = os.loadavg()[0];
    opts.log(`F5 time-to-ready: ${opts.runs} F5 presses in one code-server window (stand-in devtunnel and teams, the real echo bot)`);
    // A host that fails costs this section only: the figures of the rest of the run are kept.
    const notMeasured = (why: string, host?: F5HostResult): F5Result => {
      opts.log(`F5 time-to-ready not measured: ${why}`);
      return { activation: host?.activationMs ? activationOf(host) : { status: 'not measured', why }, f5: { status: 'not measured', why } };
    };
    let run: Awaited<ReturnType<typeof runExtensionTests>>;
    try {
      run = await runExtensionTests({
        extensionDevelopmentPath: extension,
        extensionTestsPath: entry,
        workspacePath: ws.workspace,
        resultsFile,
        timeoutMs: 6 * 60_000,
        env: { ...ws.env, TEAMS_BOT_DEV_BENCH_F5_RUNS: String(opts.runs) },
        settings: ws.settings,
        log: (line) => {
          lines.push(line);
          fs.appendFileSync(hostLog, `${line}\n`);
        },
      });
    } catch (err) {
      return notMeasured(`the VS Code host did not run: ${String((err as Error).message).split('\n')[0]} (logs in ${path.relative(REPO, path.dirname(resultsFile))}/)`);
    }
    const result = run.results as F5HostResult | undefined;
    if (run.exitCode !== 0 || !result?.runs?.length || result.error) {
      return notMeasured(`the F5 runs in the VS Code host failed: ${result?.error ?? `exit code ${run.exitCode}, no error reported`} (logs in ${path.relative(REPO, path.dirname(resultsFile))}/)`, result);
    }
    const [cold, ...warm] = result.runs;
    const at = (r: F5Run, p: Phase) => r.ms[p];
    const warmMedian: Partial<Record<Phase, number>> = {};
    for (const p of Object.keys(cold.ms) as Phase[]) {
      const v = warm.map((r) => at(r, p)).filter((x): x is number => x !== undefined);
      if (v.length) warmMedian[p] = median(v);
    }
    const ready = warm.map((r) => r.ms.botListening);
    return {
      activation: activationOf(result),
      f5: {
        status: 'measured',
        host: `code-server (VS Code ${result.vscodeVersion}) + headless chromium`,
        loadAverage: { before: Math.round(loadBefore * 100) / 100, after: Math.round(os.loadavg()[0] * 100) / 100 },
        placement: 'not pinned: VS Code, its extension host, the stand-in CLIs and the bot share both cores, as on a developer machine',
        cold: cold.ms,
        coldEndpointUpdated: cold.endpointUpdated,
        warm: warmMedian,
        warmRuns: warm.length,
        warmReadyMinMs: ready.length ? Math.min(...ready) : NaN,
        warmReadyMaxMs: ready.length ? Math.max(...ready) : NaN,
        runs: result.runs,
      },
    };
  } finally {
    ws.dispose();
  }
}

function activationOf(r: F5HostResult): F5Result['activation'] {
  return { status: 'measured', activationMs: Math.round(r.activationMs * 100) / 100, vscodeVersion: r.vscodeVersion };
}

/** package.json, the manifest's files and the bench's dist/ snapshot, as a .vsix would lay them out. */
function copyExtension(dist: string, to: string): string {
  for (const name of EXTENSION_FILES) {
    const from = path.join(REPO, name);
    if (fs.existsSync(from)) fs.cpSync(from, path.join(to, name), { recursive: true });
  }
  fs.mkdirSync(path.join(to, 'dist'), { recursive: true });
  for (const f of fs.readdirSync(dist)) if (/\.js(\.map)?$/.test(f)) fs.copyFileSync(path.join(dist, f), path.join(to, 'dist', f));
  return to;
}
