import { promises as fs } from 'node:fs';
import { loadConfigFile } from '../../core/config/configLoader';
import { formatDiagnostic } from '../../core/config/configDiagnostic';
import { starterConfigText } from '../../core/config/configWriter';
import { writeFileAtomic } from '../../core/atomicWrite';
import { resolveCommon, type CommonOptions } from '../options';
import { UserError } from '../cliError';

/** Exit 0 when valid (warnings are printed), 1 with every error and its line:col when not. */
export async function configValidate(opts: CommonOptions, out: NodeJS.WritableStream): Promise<number> {
  const { configFile } = resolveCommon(opts);
  const loaded = await loadConfigFile(configFile);
  if (!loaded.exists) {
    throw new UserError(`${configFile} does not exist: create it with \`teams-bot-dev config init\`, or pass --config FILE.`);
  }
  for (const d of loaded.diagnostics) out.write(`${d.severity}: ${formatDiagnostic(d)}\n`);
  if (!loaded.config) {
    const n = loaded.diagnostics.filter((d) => d.severity === 'error').length;
    out.write(`${configFile} is invalid: ${n} error${n === 1 ? '' : 's'}.\n`);
    return 1;
  }
  out.write(`${configFile} is valid${loaded.diagnostics.length ? ` (${loaded.diagnostics.length} warning${loaded.diagnostics.length === 1 ? '' : 's'})` : ''}.\n`);
  return 0;
}

export async function configInit(opts: CommonOptions & { force?: boolean }, out: NodeJS.WritableStream): Promise<number> {
  const { configFile } = resolveCommon(opts);
  const exists = await fs.stat(configFile).then(() => true, () => false);
  if (exists && !opts.force) throw new UserError(`${configFile} already exists: edit it, or pass --force to replace it.`);
  await writeFileAtomic(configFile, starterConfigText());
  out.write(`Wrote ${configFile}. Start the gateway with \`teams-bot-dev serve\`.\n`);
  return 0;
}
