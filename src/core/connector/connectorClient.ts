/**
 * Sends one activity to the Bot Connector (pairing codes, approval notices,
 * echo replies) through the Teams SDK's API client, and reports the outcome as
 * a value: the gateway records every send, so nothing here throws.
 *
 * Order matters: the host check runs before a token is requested, so a
 * refused serviceUrl never causes a call to Entra, let alone a token on the wire.
 */
import { Client, type ActivityParams } from '@microsoft/teams.api';
import type { ILogger, LogLevel as SdkLogLevel } from '@microsoft/teams.common';
import type { Activity } from '../activity/activity';
import type { Logger } from '../logger';
import type { Reason } from '../reasons';
import { silentLogger } from '../logger';
import { whenAborted } from '../whenAborted';
import { formatSeconds } from '../process/processErrors';
import type { BotTokenProvider } from '../credentials/botTokenProvider';
import { checkServiceUrl, type ConnectorHostContext } from './connectorHosts';
import { explainConnectorError } from './connectorErrors';

export interface SendRequest {
  serviceUrl: string;
  conversationId: string;
  activity: Activity | Record<string, unknown>;
  /** Makes the message a reply in the thread of that activity. */
  replyToId?: string;
}

export type SendOutcome =
  | { ok: true; status: number; id?: string }
  | { ok: false; reason: 'send-refused-host' | 'send-failed' | 'send-no-credentials'; status: number; detail: string };

/** Fails to compile if a name above leaves the shared reason vocabulary. */
type OneOf<T extends Reason> = T;
export type SendFailureReason = OneOf<(SendOutcome & { ok: false })['reason']>;

export interface ConnectorClientOptions {
  hosts: ConnectorHostContext;
  tokens: BotTokenProvider;
  logger?: Logger;
  /** For the whole send, token included. Teams itself waits about 15 s. */
  timeoutMs?: number;
}

export class ConnectorClient {
  private readonly hosts: ConnectorHostContext;
  private readonly tokens: BotTokenProvider;
  private readonly logger: Logger;
  private readonly timeoutMs: number;

  constructor(opts: ConnectorClientOptions) {
    this.hosts = opts.hosts;
    this.tokens = opts.tokens;
    this.logger = opts.logger ?? silentLogger;
    this.timeoutMs = opts.timeoutMs ?? 15_000;
  }

  async sendActivity(req: SendRequest): Promise<SendOutcome> {
    try {
      return await this.send(req);
    } catch (err) {
      // Belt and braces: send() maps every expected failure itself.
      return { ok: false, reason: 'send-failed', status: 0, detail: `The send failed unexpectedly: ${errorText(err)}.` };
    }
  }

  private async send(req: SendRequest): Promise<SendOutcome> {
    const host = checkServiceUrl(req.serviceUrl, this.hosts);
    if (!host.ok) {
      this.logger.warn(`Refused to send: ${host.detail}`);
      return { ok: false, reason: 'send-refused-host', status: 0, detail: host.detail };
    }
    if (typeof req.conversationId !== 'string' || req.conversationId === '') {
      return { ok: false, reason: 'send-failed', status: 0, detail: 'The send has no conversation id.' };
    }

    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.timeoutMs);
    timer.unref();
    try {
      // Raced against the deadline too: not every credential honours the abort
      // signal (a managed-identity probe off Azure can sit on its own timeouts).
      const token = await Promise.race([this.tokens.getToken({ abortSignal: abort.signal }), whenAborted(abort.signal)]);
      if (token === 'aborted') return this.timedOut('Entra ID did not issue a bot token');
      if (!token.ok) {
        return { ok: false, reason: token.reason, status: 0, detail: token.detail };
      }
      if (abort.signal.aborted) return this.timedOut('Entra ID did not issue a bot token');

      let status = 0;
      const client = new Client(stripTrailingSlashes(req.serviceUrl), {
        token: token.token,
        timeout: this.timeoutMs,
        logger: QUIET,
        interceptors: [
          {
            request: ({ config }) => {
              // A redirect would carry the token to a host nobody checked.
              config.maxRedirects = 0;
              config.signal = abort.signal;
              return config;
            },
            response: ({ res }) => {
              status = res.status;
              return res;
            },
            // teams.common turns a failed response into a resolved value when an
            // interceptor has no error handler; this keeps failures failures.
            error: ({ error }) => Promise.reject(error),
          },
        ],
      });
      // The SDK puts the id into the path as given; encoding keeps a hostile id
      // from steering the request to another path on the connector.
      const conversationId = encodeURIComponent(req.conversationId);
      // A copy: the SDK writes replyToId into the object it is given.
      const params = { ...req.activity } as unknown as ActivityParams;
      const resource = req.replyToId
        ? await client.conversations.replyToActivity(conversationId, req.replyToId, params)
        : await client.conversations.createActivity(conversationId, params);
      const id = typeof resource?.id === 'string' ? resource.id : undefined;
      return id === undefined ? { ok: true, status } : { ok: true, status, id };
    } catch (err) {
      if (abort.signal.aborted || isTimeout(err)) return this.timedOut('The Bot Connector did not answer');
      return this.failure(err, req.serviceUrl);
    } finally {
      clearTimeout(timer);
    }
  }

  private timedOut(what: string): SendOutcome {
    return {
      ok: false,
      reason: 'send-failed',
      status: 0,
      detail: `${what} within ${formatSeconds(this.timeoutMs)}.`,
    };
  }

  /** Axios errors carry the request config, Authorization header included: read fields, never log the object. */
  private failure(err: unknown, serviceUrl: string): SendOutcome {
    const e = err as { response?: { status?: unknown; data?: unknown; headers?: unknown }; code?: unknown } | null;
    const status = typeof e?.response?.status === 'number' ? e.response.status : 0;
    let detail: string;
    if (status) {
      const why = connectorErrorText(e?.response?.data);
      const headers = e?.response?.headers && typeof e.response.headers === 'object' ? e.response.headers as Record<string, unknown> : undefined;
      const explained = explainConnectorError(status, e?.response?.data, headers);
      detail = `The Bot Connector answered HTTP ${status}${why ? `: ${why.replace(/[.\s]+$/, '')}` : ''}.${explained ? ` ${explained}` : ''}`;
    } else {
      const code = typeof e?.code === 'string' ? e.code : errorText(err);
      detail = `Could not reach the Bot Connector at ${originOf(serviceUrl)} (${code}).`;
    }
    this.logger.warn(`Send failed: ${detail}`);
    return { ok: false, reason: 'send-failed', status, detail };
  }
}

const QUIET: ILogger = {
  error() {},
  warn() {},
  info() {},
  debug() {},
  trace() {},
  log(_level: SdkLogLevel) {},
  child() {
    return QUIET;
  },
};

/** The Bot Connector answers errors as { error: { code, message } }. */
function connectorErrorText(data: unknown): string {
  if (data && typeof data === 'object') {
    const error = (data as { error?: { code?: unknown; message?: unknown } }).error;
    const parts = [error?.code, error?.message].filter((p): p is string => typeof p === 'string' && p !== '');
    if (parts.length) return clip(parts.join(' '));
    const message = (data as { message?: unknown }).message;
    if (typeof message === 'string') return clip(message);
  }
  if (typeof data === 'string' && data.trim() !== '') return clip(data.trim());
  return '';
}

function isTimeout(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ERR_CANCELED';
}

function stripTrailingSlashes(url: string): string {
  return url.replace(/\/+$/, '');
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'the serviceUrl';
  }
}

function errorText(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return clip(message.replace(/Bearer\s+\S+/gi, 'Bearer <redacted>'));
}

function clip(text: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
