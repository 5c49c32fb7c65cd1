import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * How F5 hands the client secret to the bot without putting it in the debug
 * configuration. A resolved configuration is readable by every extension
 * (vscode.debug.activeDebugSession.configuration, onDidStartDebugSession,
 * debug adapter trackers) and is echoed in debug logs, so CLIENT_SECRET must
 * not be in its `env`. Instead it goes into an env file that the Node debugger
 * (js-debug) reads when it starts the bot: `envFile` in the configuration
 * names the file, not the secret. The file lives in the extension's private
 * storage, in a 0700 directory, is created 0600 (owner only), and is deleted
 * when the session ends; files left by a crashed window are removed at the
 * next activation.
 */
export class BotSecretFiles {
  private readonly live = new Set<string>();

  constructor(private readonly dir: string) {}

  /** Writes `vars` (plus the lines of the developer's own env file, if any) to a fresh private file; returns its path. */
  write(vars: Record<string, string>, ownEnvFile?: string): string {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    fs.chmodSync(this.dir, 0o700);
    const file = path.join(this.dir, `bot-${randomBytes(8).toString('hex')}.env`);
    // A missing file throws (ENOENT with its path): the caller checks first and says so; never dropped silently.
    const own = ownEnvFile ? `${fs.readFileSync(ownEnvFile, 'utf8').replace(/\s*$/, '')}\n` : '';
    const lines = Object.entries(vars).map(([k, v]) => `${k}=${envFileValue(v)}`);
    // 'wx': never follow or reuse a file someone else put there.
    fs.writeFileSync(file, `${own}${lines.join('\n')}\n`, { mode: 0o600, flag: 'wx' });
    this.live.add(file);
    return file;
  }

  delete(file: string | undefined): void {
    if (!file || !this.live.has(file)) return;
    this.live.delete(file);
    fs.rmSync(file, { force: true });
  }

  /** Everything this window wrote, and anything an earlier window left behind. */
  deleteAll(): void {
    this.live.clear();
    let names: string[] = [];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return;
    }
    for (const name of names) if (/^bot-[0-9a-f]{16}\.env$/.test(name)) fs.rmSync(path.join(this.dir, name), { force: true });
  }
}

/**
 * Quoted so that `#`, `=` and spaces survive every env file reader js-debug
 * has used (its own line parser, dotenv): single quotes are taken literally;
 * double quotes only when the value has a single quote and nothing double
 * quotes would unescape. Entra client secrets (letters, digits, ~ . _ -)
 * always take the first form.
 */
function envFileValue(value: string): string {
  if (/[\r\n]/.test(value)) throw new Error('an environment value for the bot contains a line break, which an env file cannot carry');
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes('"') && !value.includes('\\')) return `"${value}"`;
  throw new Error('the client secret contains both quote characters (or a quote and a backslash), which an env file cannot carry unchanged: set a new client secret with Set App Password');
}
