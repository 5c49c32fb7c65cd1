import { loadConfigFile } from '../../core/config/configLoader';
import { checkCredentials } from '../../core/credentials/credentialCheck';
import { resolveCommon, type CommonOptions } from '../options';
import { UserError } from '../cliError';

export interface CredentialsCheckOptions extends CommonOptions {
  json?: boolean;
}

/**
 * `teams-bot-dev credentials check`: asks Entra ID for the bot's token with
 * the config's identity, as `serve` would for a reply. The app password comes
 * from MSTEAMS_APP_PASSWORD, as for `serve`.
 *
 * Exit 0 when a token was issued, 1 when not (the reason and the fix are
 * printed), and 0 with a "skipped" line when there is nothing to check (no
 * appId: local mode needs no credentials, so that is not a failure).
 */
export async function credentialsCheck(opts: CredentialsCheckOptions, out: NodeJS.WritableStream): Promise<number> {
  const { configFile } = resolveCommon(opts);
  const loaded = await loadConfigFile(configFile);
  if (!loaded.config) {
    throw new UserError(`${configFile} is invalid: see its errors with \`teams-bot-dev config validate\`.`);
  }
  // The CLI has no secret store: its password is MSTEAMS_APP_PASSWORD (which
  // loaded.secrets also holds), passed as env so the result names it.
  const result = await checkCredentials({ config: loaded.config, secrets: {}, env: process.env });
  if (opts.json) {
    out.write(`${JSON.stringify(result, null, 2)}\n`);
  } else if ('skipped' in result) {
    out.write(`Skipped: ${result.detail}\n`);
  } else if (result.ok) {
    out.write(`OK: ${result.detail}\nIdentity: ${result.identity}\n`);
  } else {
    out.write(`Failed${result.code ? ` (${result.code})` : ''}: ${result.detail}\nFix: ${result.fix}\n`);
  }
  return 'ok' in result && !result.ok ? 1 : 0;
}
