import { Gateway } from '../../core/gateway/gateway';
import { ConfigInvalidError } from '../../core/config/configLoader';
import type { Logger } from '../../core/logger';
import { resolveCommon, type CommonOptions } from '../options';
import { UserError } from '../cliError';

export interface ServeOptions extends CommonOptions {
  port?: number;
  host?: string;
  botUrl?: string;
  echo?: boolean;
}

/** Runs the gateway in the foreground until SIGINT/SIGTERM, then shuts down with nothing lost. */
export async function serve(opts: ServeOptions, logger: Logger): Promise<number> {
  const { configFile, stateDir } = resolveCommon(opts);
  if (opts.botUrl && opts.echo) throw new UserError('--bot-url and --echo exclude each other: choose one.');
  const gateway = new Gateway({
    configFile,
    stateDir,
    logger,
    overrides: { port: opts.port, host: opts.host, botUrl: opts.botUrl, echo: opts.echo },
  });
  try {
    const state = await gateway.start();
    const loaded = gateway.loadedConfig;
    if (loaded && !loaded.exists) logger.info(`[config] no ${configFile} yet: using the defaults (local mode, dmPolicy "pairing"); approving a pairing creates it`);
    process.stdout.write(`Listening on ${state.url}\n`);
  } catch (err) {
    if (err instanceof ConfigInvalidError) throw new UserError(err.message);
    throw new UserError((err as Error).message);
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info(`[msteams] ${signal}: finishing in-flight requests and saving the activity log`);
      void gateway.stop().then(
        () => resolve(0),
        (err: Error) => {
          logger.error(`[msteams] shutdown failed: ${err.message}`);
          resolve(1);
        },
      );
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  });
}
