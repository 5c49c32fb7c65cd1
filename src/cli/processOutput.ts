/**
 * How the CLI leaves: only after stdout and stderr have drained. process.exit()
 * with output still queued for a pipe cuts it off (`activities --json | jq`
 * got the first 64 KiB and exit 0), and the CLI must exit explicitly because a
 * keep-alive socket or a file watcher can otherwise hold the process open.
 */
export function exitWhenDrained(code: number, streams: NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  process.exitCode = code;
  void Promise.all(streams.map(drained)).then(() => process.exit(code));
}

/** Resolves once everything written so far has been handed to the OS (or can never be). */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) return resolve();
    // Writes complete in order: the callback of an empty write runs after every earlier one.
    stream.write('', () => resolve());
  });
}

/**
 * A reader that stops early (`| head -1`) closes the pipe and the next write
 * fails with EPIPE. That is the reader's choice, not a fault of ours: stop
 * writing to that stream without a stack trace, and let the command finish
 * with its own exit code. Any other write error is reported in one line.
 */
export function toleratePipeClose(streams: NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') return;
      process.exitCode = 1;
      if (stream !== process.stderr && process.stderr.writable) process.stderr.write(`error: cannot write the output (${err.code ?? err.message}).\n`);
    });
  }
}
