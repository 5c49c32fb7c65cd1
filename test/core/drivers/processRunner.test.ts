import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { MemoryLogger } from '../../../src/core/logger';
import { DEVTUNNEL_TOOL } from '../../../src/core/drivers/devtunnel';
import { TEAMS_TOOL } from '../../../src/core/drivers/teamsCli';
import { stripAnsi } from '../../../src/core/process/ansi';
import { extractJson } from '../../../src/core/process/extractJson';
import { LineBuffer } from '../../../src/core/process/lineBuffer';
import { ProcessCancelledError, ProcessTimeoutError } from '../../../src/core/process/processErrors';
import { runProcess, startProcess, type OutputLine } from '../../../src/core/process/processRunner';
import { redactText, redactValues } from '../../../src/core/redact';
import { ToolNotFoundError, type ToolInfo } from '../../../src/core/process/toolNotFound';
import { BIN, envWithStandIns, tempDir } from './driverTestSupport';

const NODE_TOOL: ToolInfo = { name: 'node', displayName: 'node', installHint: 'install Node.js', settingName: 'test.nodePath' };
const SECRET = 'Xq48Q~fAkeS3cretV4lue.ForTests_only-abcd';

/** Runs a Node snippet as the child process. */
function node(script: string, extra: { args?: string[]; logger?: MemoryLogger; timeoutMs?: number; signal?: AbortSignal } = {}) {
  return runProcess({
    tool: NODE_TOOL,
    executable: process.execPath,
    executableArgs: ['-e', script],
    args: extra.args ?? [],
    logger: extra.logger,
    timeoutMs: extra.timeoutMs,
    signal: extra.signal,
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('processRunner', () => {
  it('passes arguments verbatim, with no shell in between', async () => {
    const args = ['$(echo pwned)', '; rm -rf /', '"quoted" and spaced', '`id`', '*', '%PATH%'];
    const result = await node('process.stdout.write(JSON.stringify(process.argv.slice(1)))', { args });
    assert.equal(result.code, 0);
    assert.deepEqual(JSON.parse(result.stdout), args);
  });

  it('returns non-zero exits with their output instead of throwing', async () => {
    const result = await node('console.log("out"); console.error("err"); process.exit(3)');
    assert.equal(result.code, 3);
    assert.equal(result.signal, null);
    assert.equal(result.stdout, 'out\n');
    assert.equal(result.stderr, 'err\n');
  });

  it('streams lines to the logger while the process is still running', async () => {
    const logger = new MemoryLogger();
    const handle = startProcess({
      tool: NODE_TOOL,
      executable: process.execPath,
      executableArgs: ['-e', 'console.log("first line"); setInterval(() => {}, 1000)'],
      args: [],
      logger,
      outputLogLevel: 'info',
    });
    const line = await new Promise<OutputLine>((resolve) => handle.once('line', resolve));
    assert.deepEqual(line, { stream: 'stdout', text: 'first line' });
    assert.equal(handle.running, true);
    assert.ok(logger.lines.some((l) => l.level === 'info' && l.message === 'node: first line'));
    const exit = await handle.stop();
    assert.equal(exit.signal, 'SIGTERM');
    assert.equal(handle.running, false);
  });

  it('reassembles lines split across writes, and strips CR and ANSI', async () => {
    const logger = new MemoryLogger();
    const script = `
      const parts = ['hel', 'lo\\r', '\\nwor', 'ld\\n\\u001b[31mred\\u001b[0m\\n', 'tail without newline'];
      (async () => { for (const p of parts) { process.stdout.write(p); await new Promise(r => setTimeout(r, 20)); } })();`;
    const lines: OutputLine[] = [];
    const handle = startProcess({ tool: NODE_TOOL, executable: process.execPath, executableArgs: ['-e', script], args: [], logger });
    handle.on('line', (l) => lines.push(l));
    await handle.exited;
    assert.deepEqual(
      lines.map((l) => l.text),
      ['hello', 'world', 'red', 'tail without newline'],
    );
    assert.deepEqual(
      logger.lines.filter((l) => l.message.startsWith('node: ')).map((l) => l.message),
      ['node: hello', 'node: world', 'node: red', 'node: tail without newline'],
    );
  });

  it('redacts secrets before they reach the log, but returns the raw output', async () => {
    const logger = new MemoryLogger();
    const script = `console.log(JSON.stringify({ credentials: { CLIENT_ID: 'abc', CLIENT_SECRET: '${SECRET}' } }, null, 2));
      console.error('bare ${SECRET} here'); console.log('APP_PASSWORD=hunter22 TOKEN=zzz'); console.log('custom-value-9');`;
    const result = await runProcess({
      tool: NODE_TOOL,
      executable: process.execPath,
      executableArgs: ['-e', script],
      args: [],
      logger,
      redact: redactValues(['custom-value-9']),
    });
    const logged = logger.text();
    assert.equal(logged.includes(SECRET), false);
    assert.equal(logged.includes('fAkeS3cret'), false);
    assert.equal(logged.includes('hunter22'), false);
    assert.equal(logged.includes('custom-value-9'), false);
    assert.ok(logged.includes('node:     "CLIENT_SECRET": "[redacted]"'));
    assert.ok(logged.includes('node (stderr): bare [redacted] here'));
    assert.ok(logged.includes('node: APP_PASSWORD=[redacted] TOKEN=[redacted]'));
    assert.ok(logged.includes('node:     "CLIENT_ID": "abc",'));
    assert.ok(result.stdout.includes(SECRET));
  });

  it('finds the executable on the PATH of the environment it is given', async () => {
    const result = await runProcess({ tool: DEVTUNNEL_TOOL, executable: 'devtunnel', args: ['user', 'show'], env: envWithStandIns() });
    assert.equal(result.code, 0);
    assert.equal(result.stdout, 'Logged in as dev@contoso.com using Microsoft.\n');
  });

  describe('timeouts', () => {
    it('stops a hanging process with SIGTERM and throws ProcessTimeoutError', async () => {
      const logger = new MemoryLogger();
      await assert.rejects(
        runProcess({
          tool: DEVTUNNEL_TOOL,
          executable: 'devtunnel',
          args: ['list', '--json'],
          env: envWithStandIns({ FAKE_DEVTUNNEL_SCENARIO: 'hang' }),
          timeoutMs: 300,
          logger,
        }),
        (err: unknown) => {
          assert.ok(err instanceof ProcessTimeoutError);
          assert.equal(err.timeoutMs, 300);
          assert.equal(err.message, 'devtunnel list --json did not finish within 0.3 s and was stopped: check your network connection and try again.');
          return true;
        },
      );
      assert.ok(logger.lines.some((l) => l.message === 'devtunnel exited with signal SIGTERM'));
    });

    it('escalates to SIGKILL when SIGTERM is ignored', async () => {
      const logger = new MemoryLogger();
      const handle = startProcess({
        tool: DEVTUNNEL_TOOL,
        executable: 'devtunnel',
        args: ['list'],
        env: envWithStandIns({ FAKE_DEVTUNNEL_SCENARIO: 'hang-ignore-term' }),
        killGraceMs: 200,
        logger,
      });
      // Wait until its SIGTERM handler is installed (it prints once it is).
      await new Promise<void>((resolve) => handle.once('line', () => resolve()));
      const pid = handle.pid!;
      const exit = await handle.stop();
      assert.equal(exit.signal, 'SIGKILL');
      assert.equal(isAlive(pid), false);
      assert.ok(logger.lines.some((l) => l.level === 'warn' && l.message === 'devtunnel did not stop after SIGTERM; sending SIGKILL.'));
    });
  });

  describe('cancellation', () => {
    it('stops the process when the signal aborts and throws an AbortError', async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      await assert.rejects(
        runProcess({
          tool: TEAMS_TOOL,
          executable: 'teams',
          args: ['status', '--json'],
          env: envWithStandIns({ FAKE_TEAMS_SCENARIO: 'hang' }),
          signal: controller.signal,
        }),
        (err: unknown) => {
          assert.ok(err instanceof ProcessCancelledError);
          assert.equal(err.name, 'AbortError');
          assert.equal(err.message, 'teams status --json was cancelled.');
          return true;
        },
      );
    });

    it('does not start at all when the signal is already aborted', async () => {
      const logger = new MemoryLogger();
      await assert.rejects(node('console.log(1)', { signal: AbortSignal.abort(), logger }), ProcessCancelledError);
      assert.deepEqual(logger.lines, []);
    });

    it('stops a long-running handle when its signal aborts', async () => {
      const controller = new AbortController();
      const handle = startProcess({
        tool: NODE_TOOL,
        executable: process.execPath,
        executableArgs: ['-e', 'console.log("up"); setInterval(() => {}, 1000)'],
        args: [],
        signal: controller.signal,
      });
      await new Promise((resolve) => handle.once('line', resolve));
      controller.abort();
      const exit = await handle.exited;
      assert.equal(exit.signal, 'SIGTERM');
    });
  });

  describe('missing tools', () => {
    it('turns ENOENT for devtunnel into ToolNotFoundError with the install command and setting', async () => {
      await assert.rejects(
        runProcess({ tool: DEVTUNNEL_TOOL, executable: 'devtunnel', args: ['user', 'show'], env: { PATH: '/nonexistent' } }),
        (err: unknown) => {
          assert.ok(err instanceof ToolNotFoundError);
          assert.equal(
            err.message,
            'devtunnel is not installed or not on PATH: install it with `curl -sL https://aka.ms/DevTunnelCliInstall | bash` (Linux/macOS) or `winget install Microsoft.devtunnel` (Windows), or set teamsBot.devtunnelPath.',
          );
          return true;
        },
      );
    });

    it('says the same for the Teams CLI', async () => {
      await assert.rejects(
        runProcess({ tool: TEAMS_TOOL, executable: 'teams', args: ['status', '--json'], env: { PATH: '/nonexistent' } }),
        {
          name: 'ToolNotFoundError',
          message: 'The Teams CLI (teams) is not installed: run `npm install -g @microsoft/teams.cli`, or set teamsBot.teamsCliPath.',
        },
      );
    });

    it('names the configured path when the setting points nowhere', async () => {
      const missing = path.join(BIN, 'no-such-teams');
      await assert.rejects(runProcess({ tool: TEAMS_TOOL, executable: missing, args: [] }), {
        name: 'ToolNotFoundError',
        message: `The Teams CLI (teams) was not found at ${missing}: fix teamsBot.teamsCliPath, or clear it and run \`npm install -g @microsoft/teams.cli\`.`,
      });
    });

    it('reports a file that is not executable as ProcessStartError, not as missing', async () => {
      const { dir, cleanup } = tempDir('runner-');
      try {
        const file = path.join(dir, 'teams');
        writeFileSync(file, '#!/usr/bin/env node\n', { mode: 0o644 });
        await assert.rejects(runProcess({ tool: TEAMS_TOOL, executable: file, args: [] }), {
          name: 'ProcessStartError',
          message: `Could not start ${file} (EACCES): spawn ${file} EACCES.`,
        });
      } finally {
        cleanup();
      }
    });

    it('rejects `exited` of a long-running handle without an unhandled rejection', async () => {
      const handle = startProcess({ tool: DEVTUNNEL_TOOL, executable: 'devtunnel', args: ['host', 'x'], env: { PATH: '/nonexistent' } });
      await assert.rejects(handle.exited, ToolNotFoundError);
      assert.deepEqual(await handle.stop(), { code: null, signal: null });
    });
  });
});

describe('LineBuffer', () => {
  it('holds back a partial line and a CR that may start a CRLF', () => {
    const buffer = new LineBuffer();
    assert.deepEqual(buffer.push('ab'), []);
    assert.deepEqual(buffer.push('c\r'), []);
    assert.deepEqual(buffer.push('\nd\ne'), ['abc', 'd']);
    assert.deepEqual(buffer.push('\r\r\n'), ['e', '']);
    assert.deepEqual(buffer.flush(), []);
    assert.deepEqual(buffer.push('last'), []);
    assert.deepEqual(buffer.flush(), ['last']);
  });
});

describe('redaction and text helpers', () => {
  it('redacts secret-named JSON keys and env assignments, Entra secrets, bearer tokens and JWTs', () => {
    assert.equal(redactText('"clientSecret": "abc\\"def"'), '"clientSecret": "[redacted]"');
    assert.equal(redactText('CLIENT_SECRET=abc123'), 'CLIENT_SECRET=[redacted]');
    assert.equal(redactText(`got ${SECRET} here`), 'got [redacted] here');
    assert.equal(redactText('Authorization: Bearer abc.def-ghi'), 'Authorization: Bearer [redacted]');
    assert.equal(redactText('token eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.sig'), 'token [redacted]');
    assert.equal(redactText('"secretSkipped": true, "botId": "abc"'), '"secretSkipped": true, "botId": "abc"');
    assert.equal(redactText('https://mybot-3978.euw.devtunnels.ms'), 'https://mybot-3978.euw.devtunnels.ms');
  });

  it('strips ANSI escapes', () => {
    assert.equal(stripAnsi('\u001b[1m\u001b[38;2;123;131;235mTeams\u001b[39m\u001b[22m'), 'Teams');
    assert.equal(stripAnsi('\u001b]8;;https://x\u0007link\u001b]8;;\u0007'), 'link');
  });

  it('finds JSON after a banner and ignores braces in strings', () => {
    assert.deepEqual(extractJson('Welcome {not json}\n{"a": "}{", "b": [1]}\ntrailer'), { a: '}{', b: [1] });
    assert.equal(extractJson('no json here'), undefined);
    assert.equal(extractJson(''), undefined);
  });
});
