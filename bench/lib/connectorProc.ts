/**
 * The local Bot Connector stand-in (test/support/fakeConnector) in its own
 * process: the echo bot's replies and the gateway's pairing codes land here.
 * Prints its serviceUrl; answers {cmd:'count'} over IPC with cumulative counts.
 */
import { startFakeConnector } from '../../test/support/fakeConnector';

async function run(): Promise<void> {
  const connector = await startFakeConnector();
  let pairingCodes = 0;
  let echoes = 0;
  process.on('message', (msg: { cmd?: string }) => {
    if (msg?.cmd !== 'count') return;
    for (const r of connector.received) {
      const text = (r.body as { text?: unknown } | undefined)?.text;
      if (typeof text === 'string' && text.startsWith('Echo: ')) echoes++;
      else if (typeof text === 'string' && /pairing code/i.test(text)) pairingCodes++;
    }
    // Bodies are only needed for counting: keep the process small across runs.
    connector.received.length = 0;
    process.send?.({ requests: connector.requestCount(), echoes, pairingCodes });
  });
  process.on('SIGTERM', () => void connector.stop().finally(() => process.exit(0)));
  process.stdout.write(`${JSON.stringify({ serviceUrl: connector.serviceUrl })}\n`);
}

void run();
