/**
 * Runs inside the extension host of a real VS Code (code-server), started by
 * bench/lib/f5.ts in the sample workspace of test/extension/f5Workspace.ts:
 * presses F5 (`workbench.action.debug.start`, the command F5 is bound to)
 * several times and writes when each F5 phase finished, with this host's
 * extension activation time, to $TEAMS_BOT_DEV_TEST_RESULTS.
 *
 * All marks are Date.now() values: the extension's (F5Timeline), this
 * script's, and the bot's own (it writes when its server listens), so they
 * share one clock across processes. Nothing here asserts on a duration.
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { api, callsStartingWith, devtunnelHostPids, listening, waitFor, F5 } from '../../test/extension/f5/helpers';
import type { F5Timeline } from '../../src/extension/debug/teamsBotDebug';

export interface F5Run {
  /** The first F5 of the window: it also loads dist/gateway.js and activates VS Code's Node debugger. */
  cold: boolean;
  /** `teams app update` ran (the registered endpoint was not the tunnel URL), not only `teams app get`. */
  endpointUpdated: boolean;
  /** Milliseconds from F5 to each mark. */
  ms: {
    resolving: number;
    webhookReady?: number;
    tunnelHosted?: number;
    endpointChecked?: number;
    handedToDebugger?: number;
    sessionStarted: number;
    botListening: number;
  };
}

export interface F5HostResult {
  vscodeVersion: string;
  activationMs: number;
  runs: F5Run[];
  /** Why the runs stopped (the bench reports it instead of the figures). */
  error?: string;
}

export async function run(): Promise<void> {
  const out = process.env.TEAMS_BOT_DEV_TEST_RESULTS;
  if (!out) throw new Error('TEAMS_BOT_DEV_TEST_RESULTS is not set: bench/lib/f5.ts runs this');
  const count = Number(process.env.TEAMS_BOT_DEV_BENCH_F5_RUNS || 6);
  const a = await api();
  const result: F5HostResult = { vscodeVersion: vscode.version, activationMs: a.activationMs, runs: [] };
  try {
    await pressF5(a, count, result);
  } catch (err) {
    result.error = String((err as Error).message).split('\n')[0];
    throw err;
  } finally {
    fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  }
}

async function pressF5(a: Awaited<ReturnType<typeof api>>, count: number, result: F5HostResult): Promise<void> {
  for (let i = 0; i < count; i++) {
    fs.rmSync(F5.botListeningFile, { force: true });
    const updatesBefore = callsStartingWith('teams', 'app', 'update').length;
    let sessionStarted: number | undefined;
    const sub = vscode.debug.onDidStartDebugSession((s) => {
      if (sessionStarted === undefined && typeof s.configuration.__teamsBotSession === 'string') sessionStarted = Date.now();
    });
    try {
      const t0 = Date.now();
      await vscode.commands.executeCommand('workbench.action.debug.start');
      const started = await waitFor('the F5 debug session', () => sessionStarted ?? a.debug.lastFailure, 60_000);
      if (typeof started !== 'number') throw new Error(`F5 run ${i + 1} failed: ${JSON.stringify(a.debug.lastFailure)}`);
      const bot = await waitFor('the bot to listen', () => fs.existsSync(F5.botListeningFile) && (JSON.parse(fs.readFileSync(F5.botListeningFile, 'utf8')) as { at: number; port: number }), 60_000);
      if (bot.port !== F5.botPort) throw new Error(`the bot listened on ${bot.port}, not ${F5.botPort}`);
      const t: F5Timeline | undefined = a.debug.lastTimeline;
      if (!t || t.resolving < t0) throw new Error(`F5 run ${i + 1}: no timeline from this F5 (${JSON.stringify(t)})`);
      const since = (mark: number | undefined) => (mark === undefined ? undefined : mark - t0);
      result.runs.push({
        cold: i === 0,
        endpointUpdated: callsStartingWith('teams', 'app', 'update').length > updatesBefore,
        ms: {
          resolving: t.resolving - t0,
          webhookReady: since(t.webhookReady),
          tunnelHosted: since(t.tunnelHosted),
          endpointChecked: since(t.endpointChecked),
          handedToDebugger: since(t.handedToDebugger),
          sessionStarted: started - t0,
          botListening: bot.at - t0,
        },
      });
    } finally {
      sub.dispose();
      // Back to where F5 starts from: no session, webhook and tunnel stopped, the bot port free.
      await vscode.debug.stopDebugging();
      await waitFor('the webhook to stop', () => a.ctx.host.state.status === 'stopped', 20_000);
      await waitFor('the tunnel to stop', () => a.tunnel.state.status === 'stopped', 20_000);
      await waitFor('the devtunnel host process to exit', () => devtunnelHostPids().length === 0, 20_000);
      await waitFor('the bot port to be free', async () => !(await listening(F5.botPort)), 20_000);
    }
  }
}
