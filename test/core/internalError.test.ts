/**
 * A failure of the gateway's own code (a bug) still gets an answer that
 * names its fate and a reason from the vocabulary, and a record: never a bare
 * 500 (issue 8 §2).
 */
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import type * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { ActivityLog } from '../../src/core/activity/activityLog';
import { MemoryLogger } from '../../src/core/logger';
import { PairingStore } from '../../src/core/pairing/pairingStore';
import { Pipeline } from '../../src/core/gateway/pipeline';
import { defaultConfig } from '../../src/core/config/configLoader';
import type { TeamsBotConfig } from '../../src/core/config/configTypes';
import { createWebhookApp, listen, boundPort } from '../../src/core/gateway/webhookServer';
import { personalMessage } from '../support/gatewayHarness';

type Served = { res: Response; activities: ActivityLog; logger: MemoryLogger };

describe('internal errors (issue 8 §2)', () => {
  let dir: string;
  let server: http.Server | undefined;
  let pairing: PairingStore | undefined;
  let activities: ActivityLog | undefined;

  afterEach(async () => {
    pairing?.close();
    // The log's file handle: left open, the garbage collector closed it with a warning in a later test.
    await activities?.close();
    activities = undefined;
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
    await fs.rm(dir, { recursive: true, force: true });
  });

  /** A real webhook on loopback over the given (buggy) pieces, and one DM posted to it. */
  async function postDm(config: () => TeamsBotConfig, Store: typeof PairingStore = PairingStore): Promise<Served> {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tbd-internal-'));
    const logger = new MemoryLogger();
    activities = new ActivityLog({ dir, logger });
    pairing = new Store({ file: path.join(dir, 'pairing.json'), ttlMinutes: 60, maxPending: 20, logger });
    const pipeline = new Pipeline({ config, authenticator: () => undefined, pairing, activities, sender: { send: async () => ({ ok: true, status: 201 }) }, logger });
    const app = createWebhookApp({ path: '/api/messages', maxBodyBytes: 65536, pipeline, logger, onSimulatorReply: () => undefined });
    server = await listen(app, '127.0.0.1', 0, { logger, pipeline });
    const res = await fetch(`http://127.0.0.1:${boundPort(server)}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(personalMessage({ id: '29:someone' }, 'hi', 'http://127.0.0.1:1/')),
    });
    return { res, activities, logger };
  }

  it('a bug while handling a request is answered 500 internal-error with the reason headers, recorded and logged with its stack', async () => {
    // The bug: reading the config throws.
    const { res, activities, logger } = await postDm(() => {
      throw new TypeError("Cannot read properties of undefined (reading 'dmPolicy')");
    });
    assert.equal(res.status, 500);
    assert.equal(res.headers.get('x-teams-bot-dev-reason'), 'internal-error');
    assert.equal(res.headers.get('x-teams-bot-dev-fate'), 'failed');
    const body = (await res.json()) as { status: string; reason: string; detail: string };
    assert.equal(body.reason, 'internal-error');
    assert.match(body.detail, /Cannot read properties of undefined/);
    const [record] = activities.list({ limit: 10 });
    assert.equal(record.reason, 'internal-error');
    assert.equal(record.fate, 'failed');
    assert.equal(record.status, 500);
    const line = logger.lines.find((l) => l.message.includes('reason=internal-error'));
    assert.equal(line?.level, 'error');
    assert.match(line!.message, /TypeError: Cannot read properties of undefined[\s\S]*at /, 'the stack is in the log');
    await activities.flush();
  });

  it('a bug in the pairing path (a TypeError, not a state-file fault) is 500 internal-error, not 503 pairing-store-unavailable', async () => {
    // The bug: the store's code throws a TypeError (nothing is wrong with the disk).
    class BuggyStore extends PairingStore {
      override touch(): never {
        throw new TypeError("Cannot read properties of undefined (reading 'meta')");
      }
    }
    const { res, activities, logger } = await postDm(() => ({ ...defaultConfig(), dmPolicy: 'pairing' }), BuggyStore);
    assert.equal(res.headers.get('x-teams-bot-dev-reason'), 'internal-error');
    assert.equal(res.status, 500);
    const body = (await res.json()) as { reason: string; detail: string };
    assert.match(body.detail, /reading 'meta'/);
    assert.ok(!logger.lines.some((l) => l.message.includes('pairing-store-unavailable')), 'not blamed on the store');
    await activities.flush();
  });
});
