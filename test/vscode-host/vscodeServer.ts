/**
 * Runs extension integration tests inside a real VS Code (code-server 4.139.1 =
 * VS Code 1.139.1) on a machine that cannot download VS Code desktop.
 *
 *   code-server (Node 24)  ── serves the workbench, runs the extension host (Node, server side)
 *   headless chromium      ── loads the workbench via playwright-core
 *
 * The dev extension and the test entry are passed in the URL's `payload`
 * (honoured because code-server runs with `--vscode-option enable-smoke-test-driver`).
 * When the test entry's run() settles, the workbench calls
 * `window.codeAutomationExit(code, logs)`, which we expose before navigating.
 * Mocha's reporter output only reaches the browser console, so the suite also
 * writes a JSON results file to $TEAMS_BOT_DEV_TEST_RESULTS (set in code-server's
 * environment, which the extension host inherits).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import * as util from 'node:util';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';
import { ensureInstalled, REPO_ROOT, type HostPaths } from './install';

export const RESULTS_ENV = 'TEAMS_BOT_DEV_TEST_RESULTS';
export const TEST_RESULTS_DIR = path.join(REPO_ROOT, 'test-results');
const VERBOSE = process.env.TEAMS_BOT_DEV_VSCODE_VERBOSE === '1';
const KEEP_TMP = process.env.TEAMS_BOT_DEV_KEEP_TMP === '1';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** User settings for the throwaway profile: no welcome page, no network chatter, no trust prompt. */
const DEFAULT_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'npm.autoDetect': 'off',
};

/** With workspaceTrust: trust is checked, nothing asks, and a new folder stays untrusted (Restricted Mode). */
const UNTRUSTED_SETTINGS: Record<string, unknown> = {
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.banner': 'never',
  'security.workspace.trust.emptyWindow': false,
};

// ---------------------------------------------------------------------------
// process bookkeeping: every code-server we start is killed when we exit

const live = new Set<ChildProcess>();
let hooksInstalled = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // detached → its own process group (server, exthost, ptyhost…)
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => {
    for (const c of live) killGroup(c, 'SIGKILL');
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      for (const c of live) killGroup(c, 'SIGKILL');
      process.exit(128 + (os.constants.signals[sig] ?? 1));
    });
  }
}

// ---------------------------------------------------------------------------

export interface StartOptions {
  /** Extra environment for code-server and therefore the extension host. */
  env?: Record<string, string | undefined>;
  /** Extensions dir; a fresh empty one under the temp dir by default. */
  extensionsDir?: string;
  /** Extra user settings merged over DEFAULT_SETTINGS. */
  settings?: Record<string, unknown>;
  /** Extra code-server CLI args. */
  args?: string[];
  /**
   * Workspace trust on, with no startup prompt: a folder opens untrusted, in
   * Restricted Mode (extensions that support it run limited). Off by default.
   */
  workspaceTrust?: boolean;
  startTimeoutMs?: number;
  paths?: HostPaths;
}

export interface VsCodeServer {
  url: string;
  port: number;
  /** Temp dir holding user data, extensions, XDG dirs, TMPDIR and server.log. */
  tmpDir: string;
  userDataDir: string;
  extensionsDir: string;
  logFile: string;
  paths: HostPaths;
  /** Installs a .vsix (or extension id) into this server's extensions dir. */
  installExtension(vsixOrId: string): Promise<void>;
  /** Kills the server's process group and deletes its temp dir (copying server.log to keepLogAt first). */
  stop(opts?: { keepLogAt?: string }): Promise<void>;
}

/**
 * The one freePort (src/core/process/freePort.ts): it picks below the OS's ephemeral range, so code-server,
 * Chromium or the debugger binding port 0 cannot take the F5 bot's or the webhook's port before they bind.
 * A port-0 copy here was how the F5 suite once found its bot port in use.
 */
import { freePort } from '../../src/core/process/freePort';
export { freePort };

/** Environment for code-server: ours minus anything that would make it talk to an outer VS Code. */
function serverEnv(tmp: string, paths: HostPaths, extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) {
    // VSCODE_IPC_HOOK_CLI makes code-server hand its args to the outer window instead of serving;
    // ELECTRON_RUN_AS_NODE / VSCODE_* from an outer VS Code terminal confuse the server too.
    if (/^(VSCODE_|ELECTRON_)/.test(k) || /^npm_/i.test(k)) delete env[k];
  }
  delete env.NODE_OPTIONS; // e.g. --import tsx from the caller: not for Node 24's server
  delete env.PORT; // code-server would take $PORT over --bind-addr
  delete env.PASSWORD;
  delete env.HASHED_PASSWORD;
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return {
    ...env,
    PATH: `${path.dirname(paths.node)}${path.delimiter}${env.PATH ?? ''}`,
    XDG_CONFIG_HOME: path.join(tmp, 'xdg-config'),
    XDG_DATA_HOME: path.join(tmp, 'xdg-data'),
    XDG_CACHE_HOME: path.join(tmp, 'xdg-cache'),
    TMPDIR: path.join(tmp, 'tmp'),
  };
}

function httpStatus(url: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

export async function startVsCodeServer(opts: StartOptions = {}): Promise<VsCodeServer> {
  installExitHooks();
  const paths = opts.paths ?? (await ensureInstalled());
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vscode-host-'));
  const userDataDir = path.join(tmp, 'user-data');
  const extensionsDir = opts.extensionsDir ?? path.join(tmp, 'extensions');
  for (const d of [userDataDir, path.join(userDataDir, 'User'), extensionsDir, 'xdg-config', 'xdg-data', 'xdg-cache', 'tmp']) {
    fs.mkdirSync(path.resolve(tmp, d), { recursive: true });
  }
  fs.writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...DEFAULT_SETTINGS, ...(opts.workspaceTrust ? UNTRUSTED_SETTINGS : {}), ...opts.settings }, null, 2),
  );
  const port = await freePort();
  const configFile = path.join(tmp, 'config.yaml');
  // Without --config, code-server writes ~/.config/code-server/config.yaml with a random password.
  fs.writeFileSync(configFile, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const logFile = path.join(tmp, 'server.log');
  const logFd = fs.openSync(logFile, 'a');
  const env = serverEnv(tmp, paths, opts.env ?? {});

  const args = [
    paths.codeServerEntry,
    '--config', configFile,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    ...(opts.workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    // Passed straight to VS Code's server: makes the web workbench honour `payload`
    // (extensionDevelopmentPath/extensionTestsPath) and call window.codeAutomationExit.
    '--vscode-option', 'enable-smoke-test-driver',
    ...(opts.args ?? []),
  ];
  const child = spawn(paths.node, args, { cwd: tmp, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const output: string[] = [];
  const onData = (stream: string) => (buf: Buffer) => {
    const text = buf.toString();
    fs.writeSync(logFd, text);
    output.push(text);
    if (output.length > 400) output.splice(0, output.length - 400);
    if (VERBOSE) process.stderr.write(text.replace(/^(?=.)/gm, `[code-server ${stream}] `));
  };
  child.stdout?.on('data', onData('out'));
  child.stderr?.on('data', onData('err'));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', () => {
    live.delete(child);
    try {
      fs.closeSync(logFd);
    } catch {
      /* closed */
    }
  });

  const url = `http://127.0.0.1:${port}`;
  let stopped = false;
  const stop = async (o: { keepLogAt?: string } = {}): Promise<void> => {
    if (stopped) return;
    stopped = true;
    killGroup(child, 'SIGTERM');
    const t = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
    killGroup(child, 'SIGKILL'); // stragglers in the group (ptyhost, exthost children)
    if (o.keepLogAt) {
      fs.mkdirSync(path.dirname(o.keepLogAt), { recursive: true });
      fs.copyFileSync(logFile, o.keepLogAt);
    }
    if (!KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
  };

  const startTimeoutMs = opts.startTimeoutMs ?? 90_000;
  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const out = output.join('');
      await stop();
      throw new Error(
        `code-server exited during startup (code ${child.exitCode}, signal ${child.signalCode}).\n` +
          `command: ${paths.node} ${args.join(' ')}\n--- code-server output ---\n${out}`,
      );
    }
    if ((await httpStatus(`${url}/healthz`, 2000)) === 200) break;
    if (Date.now() > deadline) {
      const out = output.join('');
      await stop();
      throw new Error(`code-server did not answer on ${url} within ${startTimeoutMs} ms.\n--- code-server output ---\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  return {
    url,
    port,
    tmpDir: tmp,
    userDataDir,
    extensionsDir,
    logFile,
    paths,
    installExtension: (vsixOrId) => installExtension(vsixOrId, { extensionsDir, userDataDir, paths, env }),
    stop,
  };
}

/** `code-server --install-extension FILE --extensions-dir E` (works while a server runs; reload the window to pick it up). */
export async function installExtension(
  vsixOrId: string,
  opts: { extensionsDir: string; userDataDir?: string; paths?: HostPaths; env?: NodeJS.ProcessEnv },
): Promise<void> {
  const paths = opts.paths ?? (await ensureInstalled());
  let env = opts.env;
  if (!env) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vscode-host-ext-'));
    for (const d of ['xdg-config', 'xdg-data', 'xdg-cache', 'tmp']) fs.mkdirSync(path.join(tmp, d));
    env = serverEnv(tmp, paths, {});
  }
  const target = fs.existsSync(vsixOrId) ? path.resolve(vsixOrId) : vsixOrId;
  const args = [paths.codeServerEntry, '--install-extension', target, '--force', '--extensions-dir', opts.extensionsDir];
  if (opts.userDataDir) args.push('--user-data-dir', opts.userDataDir);
  const r = spawnSync(paths.node, args, { env, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) {
    throw new Error(`installing ${vsixOrId} failed (code ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
}

// ---------------------------------------------------------------------------
// browser side

export function remoteUri(server: { port: number }, absPath: string): string {
  const p = path.resolve(absPath).split(path.sep).map(encodeURIComponent).join('/');
  return `vscode-remote://127.0.0.1:${server.port}${p.startsWith('/') ? p : `/${p}`}`;
}

export function workbenchUrl(server: { url: string }, opts: { folder?: string; payload?: [string, string][] }): string {
  const q = new URLSearchParams();
  if (opts.folder) q.set('folder', path.resolve(opts.folder));
  else q.set('ew', 'true'); // empty window
  if (opts.payload?.length) q.set('payload', JSON.stringify(opts.payload));
  return `${server.url}/?${q.toString()}`;
}

export async function launchBrowser(paths?: HostPaths): Promise<Browser> {
  const p = paths ?? (await ensureInstalled());
  return chromium.launch({ executablePath: p.chromium, headless: true, args: CHROMIUM_ARGS });
}

/**
 * Formats browser console messages into plain lines, in order. The workbench logs as
 * console.log('%c INFO', 'color: #33f', fmt, ...args) and the extension host's console
 * (mocha's reporter) arrives the same way, so strip the CSS and apply the printf format.
 */
class ConsoleCollector {
  readonly lines: string[] = [];
  private queue: Promise<void> = Promise.resolve();
  constructor(private readonly prefix: string, private readonly sink?: (line: string) => void) {}

  readonly onMessage = (msg: ConsoleMessage): void => {
    const type = msg.type();
    if (type === 'debug' && !VERBOSE) return;
    const values = Promise.all(msg.args().map((a) => a.jsonValue().catch(() => undefined)));
    this.queue = this.queue.then(async () => {
      const text = formatConsole(await values.catch(() => []), msg.text());
      if (!text.trim()) return;
      const tag = type === 'log' || type === 'info' ? '' : `${type}: `;
      const line = `${this.prefix}${tag}${text}`;
      this.lines.push(line);
      this.sink?.(line);
    });
  };

  flush(): Promise<void> {
    return this.queue;
  }
}

function formatConsole(args: unknown[], fallback: string): string {
  const rest = [...args];
  let level = '';
  if (typeof rest[0] === 'string' && rest[0].includes('%c')) {
    const head = rest.shift() as string;
    const css = head.split('%c').length - 1;
    rest.splice(0, css);
    level = head.replace(/%c/g, '').trim();
  }
  if (rest.length === 0 || rest.some((v) => v !== null && typeof v === 'object')) {
    // Errors and objects don't survive jsonValue(); use Playwright's text, minus the CSS.
    const t = fallback.replace(/%c/g, '').replace(/\s*color: #?\w+\s*/g, ' ').trim();
    return level && t.startsWith(level) ? t : [level, t].filter(Boolean).join(' ');
  }
  const text = util.format(...rest);
  return level && level !== 'INFO' ? `${level} ${text}` : text;
}

export interface RunTestsOptions {
  /** Folder with the extension's package.json. */
  extensionDevelopmentPath: string;
  /** Test entry: a .js file (or dir with index.js) exporting run(): Promise<void>. */
  extensionTestsPath: string;
  /** Folder to open; an empty window if omitted. */
  workspacePath?: string;
  /** Where the suite writes its JSON results (exported to the host as $TEAMS_BOT_DEV_TEST_RESULTS). */
  resultsFile?: string;
  /** Whole run, from server start to codeAutomationExit. Default 5 min. */
  timeoutMs?: number;
  /** Extra environment for code-server and the extension host. */
  env?: Record<string, string | undefined>;
  /** Gets the live page once the workbench URL has loaded (screenshots, DOM). */
  onPage?: (page: Page) => Promise<void> | void;
  /** .vsix files / extension ids to install into the fresh extensions dir first. */
  installExtensions?: string[];
  settings?: Record<string, unknown>;
  /** Open the folder untrusted, in Restricted Mode (see StartOptions.workspaceTrust). */
  workspaceTrust?: boolean;
  /** Where output lines go; stdout by default. */
  log?: (line: string) => void;
}

export interface RunTestsResult {
  exitCode: number;
  results?: unknown;
  resultsFile: string;
  consoleLines: string[];
}

class HarnessError extends Error {}

export async function runExtensionTests(opts: RunTestsOptions): Promise<RunTestsResult> {
  const log = opts.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  const timeoutMs = opts.timeoutMs ?? 5 * 60_000;
  const started = Date.now();
  const resultsFile = path.resolve(opts.resultsFile ?? path.join(TEST_RESULTS_DIR, 'vscode-host', 'results.json'));
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  fs.rmSync(resultsFile, { force: true });
  const logsDir = path.join(path.dirname(resultsFile), 'logs');
  // The server's temp dir goes away on stop(); its log is kept next to the results when a run fails.
  const savedServerLog = path.join(path.dirname(resultsFile), 'server.log');
  fs.rmSync(savedServerLog, { force: true });

  const paths = await ensureInstalled();
  const server = await startVsCodeServer({
    paths,
    env: { ...opts.env, [RESULTS_ENV]: resultsFile },
    settings: opts.settings,
    workspaceTrust: opts.workspaceTrust,
    startTimeoutMs: Math.min(timeoutMs, 120_000),
  });
  let browser: Browser | undefined;
  const browserConsole = new ConsoleCollector('[browser] ', log);
  let timer: NodeJS.Timeout | undefined;
  let ok = false;
  try {
    for (const ext of opts.installExtensions ?? []) await server.installExtension(ext);
    browser = await launchBrowser(paths);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('console', browserConsole.onMessage);
    page.on('pageerror', (e) => log(`[browser] pageerror: ${e.message}`));

    type Exit = { code: number; logs: { relativePath: string; contents: string }[] };
    let onExit!: (e: Exit) => void;
    const exit = new Promise<Exit>((resolve) => (onExit = resolve));
    // Must exist before the workbench loads: it calls window.codeAutomationExit(code, logs) when run() settles.
    await page.exposeFunction('codeAutomationExit', (code: number, logs?: Exit['logs']) => {
      onExit({ code: Number(code), logs: Array.isArray(logs) ? logs : [] });
    });
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new HarnessError(
              `VS Code test run timed out after ${timeoutMs} ms: the workbench never called codeAutomationExit ` +
                `(extension failed to activate, run() never settled, or the page did not load). ` +
                `See the [browser] lines above and ${savedServerLog}.`,
            ),
          ),
        Math.max(1, timeoutMs - (Date.now() - started)),
      );
    });

    const url = workbenchUrl(server, {
      folder: opts.workspacePath,
      payload: [
        ['extensionDevelopmentPath', remoteUri(server, opts.extensionDevelopmentPath)],
        ['extensionTestsPath', remoteUri(server, opts.extensionTestsPath)],
      ],
    });
    log(`[vscode-host] ${url}`);
    const work = (async () => {
      await page.goto(url, { waitUntil: 'domcontentloaded' });
      if (opts.onPage) await opts.onPage(page);
      return exit;
    })();
    let outcome: Awaited<typeof exit>;
    try {
      outcome = await Promise.race([work, timeout]);
    } catch (err) {
      if (err instanceof HarnessError) {
        const shot = path.join(TEST_RESULTS_DIR, 'vscode-host', 'timeout.png');
        await page.screenshot({ path: shot, timeout: 5000 }).then(
          () => log(`[vscode-host] screenshot of the stuck workbench: ${shot}`),
          () => undefined,
        );
      }
      throw err;
    }

    await browserConsole.flush();
    fs.rmSync(logsDir, { recursive: true, force: true });
    for (const l of outcome.logs) {
      const dest = path.join(logsDir, l.relativePath);
      if (!dest.startsWith(logsDir + path.sep)) continue;
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.writeFileSync(dest, l.contents);
    }

    let exitCode = outcome.code;
    let results: unknown;
    if (fs.existsSync(resultsFile)) {
      const text = fs.readFileSync(resultsFile, 'utf8');
      log(`[vscode-host] results (${resultsFile}):\n${text.trimEnd()}`);
      try {
        results = JSON.parse(text);
        const failures = (results as { failures?: unknown }).failures;
        if (exitCode === 0 && typeof failures === 'number' && failures > 0) exitCode = 1;
      } catch {
        log('[vscode-host] results file is not JSON');
      }
    } else {
      log(`[vscode-host] no results file was written at ${resultsFile}`);
    }
    ok = exitCode === 0;
    if (!ok && outcome.logs.length) log(`[vscode-host] extension host and workbench logs: ${logsDir}`);
    if (!ok) log(`[vscode-host] code-server log: ${savedServerLog}`);
    log(`[vscode-host] exit code ${exitCode} after ${((Date.now() - started) / 1000).toFixed(1)}s`);
    return { exitCode, results, resultsFile, consoleLines: browserConsole.lines };
  } finally {
    if (timer) clearTimeout(timer);
    await browser?.close().catch(() => undefined);
    await server.stop({ keepLogAt: ok ? undefined : savedServerLog });
  }
}

// ---------------------------------------------------------------------------
// UI tests: a live workbench page

export interface OpenWorkbenchOptions {
  /** Folder to open; an empty window if omitted. */
  folder?: string;
  /** Extra payload pairs, e.g. [['extensionDevelopmentPath', remoteUri(server, dir)]]. */
  payload?: [string, string][];
  /** A dev extension to load (turned into a payload pair). */
  extensionDevelopmentPath?: string;
  /** .vsix files / extension ids to install before the page loads. */
  installExtensions?: string[];
  /** Reuse a running server; otherwise one is started and stopped by close(). */
  server?: VsCodeServer;
  env?: Record<string, string | undefined>;
  settings?: Record<string, unknown>;
  /** Wait for the workbench DOM; default 60 s. */
  readyTimeoutMs?: number;
}

export interface Workbench {
  page: Page;
  browser: Browser;
  server: VsCodeServer;
  url: string;
  /** Browser console lines seen so far. */
  consoleLines: string[];
  /** Saves a PNG under <repo>/test-results/ and returns its path. */
  screenshot(name: string, opts?: { selector?: string }): Promise<string>;
  /** Runs a command by its title through the command palette (F1), waiting for it to be registered. */
  runCommand(title: string, opts?: { timeoutMs?: number }): Promise<void>;
  close(): Promise<void>;
}

export async function openWorkbench(opts: OpenWorkbenchOptions = {}): Promise<Workbench> {
  const paths = opts.server?.paths ?? (await ensureInstalled());
  const server = opts.server ?? (await startVsCodeServer({ paths, env: opts.env, settings: opts.settings }));
  const ownsServer = !opts.server;
  let browser: Browser | undefined;
  try {
    for (const ext of opts.installExtensions ?? []) await server.installExtension(ext);
    browser = await launchBrowser(paths);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const browserConsole = new ConsoleCollector('');
    page.on('console', browserConsole.onMessage);
    const payload = [...(opts.payload ?? [])];
    if (opts.extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remoteUri(server, opts.extensionDevelopmentPath)]);
    const url = workbenchUrl(server, { folder: opts.folder, payload });
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    await page.locator('.monaco-workbench .part.activitybar, .monaco-workbench .part.sidebar').first().waitFor({
      timeout: opts.readyTimeoutMs ?? 60_000,
    });
    const b = browser;
    return {
      page,
      browser: b,
      server,
      url,
      consoleLines: browserConsole.lines,
      async screenshot(name, o = {}) {
        const file = path.join(TEST_RESULTS_DIR, name.endsWith('.png') ? name : `${name}.png`);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        if (o.selector) await page.locator(o.selector).first().screenshot({ path: file });
        else await page.screenshot({ path: file });
        return file;
      },
      async runCommand(title, o = {}) {
        // Contributed commands appear once the extension host has registered them: retry until then.
        const deadline = Date.now() + (o.timeoutMs ?? 30_000);
        const input = page.locator('.quick-input-widget input');
        const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
        for (;;) {
          await page.keyboard.press('F1');
          await input.waitFor({ timeout: 10_000 });
          await input.fill(`>${title}`);
          try {
            await row.waitFor({ timeout: 2000 });
            await row.click();
            return;
          } catch {
            await page.keyboard.press('Escape');
            if (Date.now() > deadline) throw new Error(`command "${title}" not found in the command palette`);
            await page.waitForTimeout(500);
          }
        }
      },
      async close() {
        await b.close().catch(() => undefined);
        if (ownsServer) await server.stop();
      },
    };
  } catch (err) {
    await browser?.close().catch(() => undefined);
    if (ownsServer) await server.stop();
    throw err;
  }
}
