import { runDeliveryCheck } from '../../core/deliveryCheck/deliveryCheck';
import { reportText } from '../../core/deliveryCheck/reportText';
import { Devtunnel } from '../../core/drivers/devtunnel';
import { TeamsCli } from '../../core/drivers/teamsCli';
import { resolveCommon, type CommonOptions } from '../options';

export interface CheckOptions extends CommonOptions {
  json?: boolean;
}

/**
 * `teams-bot-dev check`: the Delivery Check from a terminal. The CLIs are the
 * ones on PATH; the app password comes from MSTEAMS_APP_PASSWORD, as for
 * `serve`. Exit 1 when a hop failed (warnings and skips do not fail it).
 */
export async function check(opts: CheckOptions, out: NodeJS.WritableStream): Promise<number> {
  const { configFile, stateDir } = resolveCommon(opts);
  const report = await runDeliveryCheck({ configFile, stateDir, devtunnel: new Devtunnel(), teams: new TeamsCli() });
  out.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : reportText(report));
  return report.ok ? 0 : 1;
}
