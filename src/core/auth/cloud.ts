/**
 * The endpoints of the configured Azure cloud. The Teams SDK owns the table
 * of named clouds, so a fix there (a moved metadata URL, a new issuer) reaches
 * this gateway by upgrading the SDK instead of editing a copy here.
 */
import { cloudFromName, withOverrides, type CloudEnvironment } from '@microsoft/teams.api';
import type { TeamsBotConfig } from '../config/configTypes';

export type { CloudEnvironment };

export function resolveCloud(config: Pick<TeamsBotConfig, 'cloud' | 'cloudOverrides'>): CloudEnvironment {
  const base = cloudFromName(config.cloud);
  const o = config.cloudOverrides;
  if (!o) return base;
  // Copy field by field: the config object may carry keys the SDK type does not
  // know, and an explicit undefined must not blank a named cloud's endpoint.
  return withOverrides(base, {
    loginEndpoint: o.loginEndpoint,
    loginTenant: o.loginTenant,
    botScope: o.botScope,
    openIdMetadataUrl: o.openIdMetadataUrl,
    tokenIssuer: o.tokenIssuer,
  });
}
