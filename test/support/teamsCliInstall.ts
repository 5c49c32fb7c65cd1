/**
 * The real Teams CLI (@microsoft/teams.cli) for tests, installed on demand
 * into the test cache (.vscode-test/teams-cli/, git-ignored) from the pinned
 * package.json + package-lock.json in test/fixtures/teams-cli/ (`npm ci`, so
 * exactly that tree, integrity-checked; it needs the npm registry once).
 *
 * Why not a devDependency: its @azure/msal-node-extensions → keytar runs an
 * install script that downloads a prebuilt binary or else compiles against
 * libsecret, so `npm ci` failed on a machine with only Node and npm.
 *
 * Here keytar is replaced (npm `overrides`) by test/fixtures/teams-cli/
 * keytar-unavailable, a package that exports nothing: the stand-in for a
 * keytar that cannot exist on a machine without libsecret. Importing it fails
 * at module resolution, which is the case the Teams CLI is written for (it
 * imports msal-node-extensions dynamically and falls back to an in-memory
 * token cache: "Native credential storage unavailable"). A real keytar without
 * its binary is not the same: its require('../build/Release/keytar.node')
 * throws while the module is evaluated, which on Node 20 reaches the CLI's
 * unhandledRejection handler, and `teams status --json` prints the right JSON
 * and then exits 1. The stand-in also has to be nearest: a keytar in the
 * repository's own node_modules (an optional dependency of @vscode/vsce) would
 * otherwise be found by walking up from .vscode-test/. The commands the tests
 * run (help, --version, status and app update while logged out) never reach
 * the token store. --ignore-scripts keeps any other install script from
 * running: no native build can fail this install.
 *
 * Same lock-and-stamp scheme as test/vscode-host/install.ts: a second call
 * costs a few stats. Run directly: node --import tsx test/support/teamsCliInstall.ts
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CACHE_DIR, REPO_ROOT, lock, npmEnv, readStamp, run, writeStamp } from '../vscode-host/install';

/** What test/fixtures/teams-cli/package.json pins (the version the project's lockfile had). */
export const TEAMS_CLI_VERSION = '3.0.3';
export const TEAMS_CLI_FIXTURE_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'teams-cli');
export const TEAMS_CLI_DIR = path.join(CACHE_DIR, 'teams-cli');

export interface TeamsCliInstall {
  /** The package's bin script (`dist/index.js`): run it as `node script …`. */
  script: string;
  /** The installed package's version (TEAMS_CLI_VERSION). */
  version: string;
  /** The package directory (node_modules/@microsoft/teams.cli). */
  packageDir: string;
  /** How long this call took (an install, or a few stats when cached). */
  installMs: number;
}

const log = (line: string): void => {
  process.stderr.write(`[teams-cli install] ${line}\n`);
};

/** The fixture's files, relative to its directory (package.json, package-lock.json, keytar-unavailable/package.json). */
const FIXTURE_FILES = ['package.json', 'package-lock.json', path.join('keytar-unavailable', 'package.json')];

/** A changed fixture (another version, another lockfile) makes the next call reinstall. */
function fixtureHash(): string {
  const h = createHash('sha256');
  for (const f of FIXTURE_FILES) h.update(f).update(fs.readFileSync(path.join(TEAMS_CLI_FIXTURE_DIR, f)));
  return h.digest('hex');
}

function packageDir(): string {
  return path.join(TEAMS_CLI_DIR, 'node_modules', '@microsoft', 'teams.cli');
}

function scriptOf(pkgDir: string): { script: string; version: string } | undefined {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string; bin: { teams: string } };
    const script = path.join(pkgDir, pkg.bin.teams);
    return fs.existsSync(script) ? { script, version: pkg.version } : undefined;
  } catch {
    return undefined;
  }
}

/** Installs (once) and returns the real Teams CLI. Serialised across processes with a lock directory. */
export async function ensureTeamsCliInstalled(opts: { force?: boolean } = {}): Promise<TeamsCliInstall> {
  const started = Date.now();
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const release = await lock(path.join(CACHE_DIR, 'teams-cli.lock'), log);
  try {
    const hash = fixtureHash();
    const stamp = readStamp(TEAMS_CLI_DIR);
    const found = scriptOf(packageDir());
    if (!opts.force && stamp?.fixtureHash === hash && found?.version === TEAMS_CLI_VERSION) {
      return { ...found, packageDir: packageDir(), installMs: Date.now() - started };
    }

    log(`installing @microsoft/teams.cli@${TEAMS_CLI_VERSION} into ${path.relative(REPO_ROOT, TEAMS_CLI_DIR)}/ (npm ci --ignore-scripts)`);
    fs.rmSync(TEAMS_CLI_DIR, { recursive: true, force: true });
    fs.mkdirSync(TEAMS_CLI_DIR, { recursive: true });
    for (const f of FIXTURE_FILES) {
      fs.mkdirSync(path.dirname(path.join(TEAMS_CLI_DIR, f)), { recursive: true });
      fs.copyFileSync(path.join(TEAMS_CLI_FIXTURE_DIR, f), path.join(TEAMS_CLI_DIR, f));
    }
    const logFile = path.join(CACHE_DIR, 'logs', 'teams-cli.log');
    // npm ci: exactly the pinned tree. --ignore-scripts: no install script runs (see the header).
    await run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: TEAMS_CLI_DIR,
      env: npmEnv(undefined, { npm_config_ignore_scripts: 'true' }),
      logFile,
      log,
    });

    const got = scriptOf(packageDir());
    if (!got) throw new Error(`npm ci in ${TEAMS_CLI_DIR} installed no @microsoft/teams.cli bin script; see ${logFile}`);
    if (got.version !== TEAMS_CLI_VERSION) throw new Error(`${TEAMS_CLI_DIR} holds @microsoft/teams.cli ${got.version}, not ${TEAMS_CLI_VERSION}`);
    const v = spawnSync(process.execPath, [got.script, '--version'], { encoding: 'utf8', timeout: 60_000, cwd: TEAMS_CLI_DIR });
    if (v.status !== 0 || v.stdout.trim() !== TEAMS_CLI_VERSION) {
      throw new Error(`the installed Teams CLI does not start: exit ${v.status}\n${v.stdout}\n${v.stderr}`);
    }
    const installMs = Date.now() - started;
    writeStamp(TEAMS_CLI_DIR, { version: TEAMS_CLI_VERSION, fixtureHash: hash, installMs });
    log(`@microsoft/teams.cli ${got.version} ready in ${(installMs / 1000).toFixed(1)}s`);
    return { ...got, packageDir: packageDir(), installMs };
  } finally {
    release();
  }
}

if (require.main === module) {
  ensureTeamsCliInstalled({ force: process.argv.includes('--force') }).then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (err: unknown) => {
      console.error(`[teams-cli install] FAILED: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
