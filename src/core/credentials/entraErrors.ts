/**
 * What an Entra ID (AADSTS…) refusal means for a Teams bot's own token, in one
 * sentence, and what to change. Entra's own sentences name the symptom ("Invalid
 * client secret provided"); these name the usual cause in a bot project and
 * where to fix it. Used by the Credential Check and by every send that failed
 * for want of a token (botTokenProvider), so both say the same thing.
 *
 * The codes and Entra's texts: "Microsoft Entra authentication and
 * authorization error codes",
 * https://learn.microsoft.com/entra/identity-platform/reference-error-codes
 * (and https://login.microsoftonline.com/error?code=N for any code).
 */
export interface EntraErrorExplanation {
  /** As Entra writes it: "AADSTS7000215". */
  code: string;
  /** One sentence: what went wrong, in the bot's terms. */
  explanation: string;
  /** What to do about it. */
  fix: string;
  /** Where the fix is made, when it is in this project: the app password (secret store / MSTEAMS_APP_PASSWORD) or a key of the config file. */
  fixIn?: FixTarget;
}

/** Where a credential problem is fixed, for a one-click button (Set App Password…, Open Config at that key). */
export type FixTarget = { kind: 'app-password' } | { kind: 'config'; key: string };

const APP_PASSWORD: FixTarget = { kind: 'app-password' };
const configKey = (key: string): FixTarget => ({ kind: 'config', key });

const SET_PASSWORD = 'run "Teams Bot: Set App Password…" in VS Code, or set MSTEAMS_APP_PASSWORD for the CLI';

const FEDERATED_FIX =
  'Under App registrations → the bot\'s app → Certificates & secrets → Federated credentials, add "Managed identity" with the identity named by "managedIdentityClientId" (issuer https://login.microsoftonline.com/<tenant>/v2.0, audience api://AzureADTokenExchange).';

const TABLE: Record<string, Omit<EntraErrorExplanation, 'code'>> = {
  // "Invalid client secret provided. Ensure the secret being sent in the request
  // is the client secret value, not the client secret ID, …"
  AADSTS7000215: {
    explanation:
      'The app password is not a valid secret of this app: very often the secret\'s ID (a GUID) was pasted instead of its Value, or the secret belongs to another app registration.',
    fix: `In the Azure portal open App registrations → the bot's app → Certificates & secrets, copy the secret's Value (shown only right after it is created; add a new secret if you do not have it), then ${SET_PASSWORD}.`,
    fixIn: APP_PASSWORD,
  },
  // "The provided client secret keys for app '…' are expired."
  AADSTS7000222: {
    explanation: 'The app password has expired: client secrets have an end date, and this one has passed.',
    fix: `Add a new client secret under App registrations → the bot's app → Certificates & secrets, then ${SET_PASSWORD} with its Value.`,
    fixIn: APP_PASSWORD,
  },
  // "Application with identifier '…' was not found in the directory '…'. … You
  // may have sent your authentication request to the wrong tenant."
  AADSTS700016: {
    explanation:
      'Entra ID has no app with this appId in the tenant the token was asked from: the appId is wrong, or the app is single-tenant and "tenantId" is not the tenant it is registered in (with no "tenantId", the multi-tenant botframework.com tenant is asked).',
    fix: 'Set "appId" to the app registration\'s Application (client) ID and "tenantId" to its Directory (tenant) ID (both on its Overview page); a single-tenant Azure Bot needs "tenantId".',
    fixIn: configKey('tenantId'),
  },
  // "Tenant '…' not found. Check to make sure you have the correct tenant ID and
  // are signing into the correct cloud."
  AADSTS90002: {
    explanation: 'Entra ID knows no tenant by the configured "tenantId" in this cloud.',
    fix: 'Set "tenantId" to the Directory (tenant) ID GUID (or a verified domain) from the app registration\'s Overview page, and check "cloud": a US Government or China tenant is not found in the Public cloud.',
    fixIn: configKey('tenantId'),
  },
  // "Client assertion is not within its valid time range."
  AADSTS700024: {
    explanation:
      'The assertion that proves the app (the managed identity\'s token under "authType": "federated", or the certificate-signed JWT) was expired or not yet valid when Entra ID read it.',
    fix: 'Check that this machine\'s clock is right (enable time sync); under "authType": "federated" the managed identity\'s token must be fresh, so run where that identity lives (Azure) and retry.',
  },
  // "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."
  AADSTS7000218: {
    explanation: 'The token request carried no secret and no assertion: the app password is empty.',
    fix: `Set the app password (${SET_PASSWORD}), or configure "certificatePath", "useManagedIdentity" or "authType": "federated".`,
    fixIn: APP_PASSWORD,
  },
  // "The certificate with identifier used to sign the client assertion is not
  // registered on application." / "Client assertion contains an invalid signature."
  AADSTS700027: {
    explanation: 'The certificate at "certificatePath" is not one of this app\'s registered certificates (or its key does not match the certificate).',
    fix: 'Upload the certificate (its public part, .cer/.pem) under App registrations → the bot\'s app → Certificates & secrets, or point "certificatePath" at the PEM (private key and certificate) that is registered there.',
    fixIn: configKey('certificatePath'),
  },
  // "No matching federated identity record found for presented assertion."
  AADSTS70021: {
    explanation: 'The app registration has no federated credential that trusts this managed identity, so its token is not accepted as the app\'s proof.',
    fix: FEDERATED_FIX,
  },
  // "No matching federated identity record found for presented assertion subject '…'."
  AADSTS700213: {
    explanation: 'The app registration\'s federated credentials do not list this managed identity as subject, so its token is not accepted as the app\'s proof.',
    fix: FEDERATED_FIX,
  },
  // "No matching federated identity record found for presented assertion subject '…'. … case-sensitive …"
  AADSTS7002138: {
    explanation: 'The app registration\'s federated credentials do not list this managed identity as subject (the match is case-sensitive), so its token is not accepted as the app\'s proof.',
    fix: FEDERATED_FIX,
  },
  // "Application '…' is disabled."
  AADSTS7000112: {
    explanation: 'The app registration (or its service principal) is disabled in this tenant.',
    fix: 'Enable the app under Enterprise applications → the bot\'s app → Properties ("Enabled for users to sign in"), or ask the tenant\'s administrator.',
  },
};

/**
 * The explanation for the first AADSTS code in a message (an Entra error
 * description, an @azure/identity error message, or a send-failed detail that
 * quotes one); undefined when there is none or the code is not one we explain.
 */
export function explainEntraError(message: string): EntraErrorExplanation | undefined {
  for (const match of message.matchAll(/AADSTS(\d+)/g)) {
    const code = `AADSTS${match[1]}`;
    const entry = TABLE[code];
    if (entry) return { code, ...entry };
  }
  return undefined;
}

/** The first AADSTS code in a message, explained or not ("AADSTS50034"). */
export function entraErrorCode(message: string): string | undefined {
  return /AADSTS\d+/.exec(message)?.[0];
}

/** Every explained code, for the README's table. */
export function explainedEntraErrors(): EntraErrorExplanation[] {
  return Object.entries(TABLE).map(([code, entry]) => ({ code, ...entry }));
}
