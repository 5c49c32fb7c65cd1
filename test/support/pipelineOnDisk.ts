import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ActivityLog } from '../../src/core/activity/activityLog';
import type { TeamsBotConfig } from '../../src/core/config/configTypes';
import { Pipeline, type PipelineDeps } from '../../src/core/gateway/pipeline';
import { MemoryLogger } from '../../src/core/logger';
import { PairingStore } from '../../src/core/pairing/pairingStore';

/** A Pipeline over a real activity log and pairing store in a temp dir, for tests that call Pipeline.handle without HTTP. */
export interface PipelineOnDisk {
  dir: string;
  logger: MemoryLogger;
  activities: ActivityLog;
  pairing: PairingStore;
  pipeline: Pipeline;
  /** Closes the stores and removes the dir. */
  close(): Promise<void>;
}

export async function pipelineOnDisk(config: TeamsBotConfig, sender: PipelineDeps['sender'] = { send: async () => ({ ok: true, status: 201 }) }): Promise<PipelineOnDisk> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tbd-pipeline-'));
  const logger = new MemoryLogger();
  const activities = new ActivityLog({ dir, logger });
  const pairing = new PairingStore({ file: path.join(dir, 'pairing.json'), ttlMinutes: 60, maxPending: 20, logger });
  const pipeline = new Pipeline({ config: () => config, authenticator: () => undefined, pairing, activities, sender, logger });
  return {
    dir, logger, activities, pairing, pipeline,
    async close() {
      pairing.close();
      await activities.close();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
