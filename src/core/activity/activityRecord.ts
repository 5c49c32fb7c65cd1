import type { Fate, Reason } from '../reasons';
import type { ConversationKind } from './activity';

/** Where a request came from, as far as the gateway can tell. */
export type Source = 'tunnel' | 'loopback' | 'remote' | 'simulated' | 'gateway';

/** How the request was authenticated. */
export type AuthResult = 'jwt-valid' | 'jwt-invalid' | 'local' | 'simulated' | 'not-checked' | 'outbound';

/** One row of the activity log: one inbound request or one outbound send, with its fate. */
export interface ActivityRecord {
  /** Unique, time-ordered id (sortable as a string). */
  id: string;
  /** ISO time the request arrived or the send started. */
  time: string;
  direction: 'inbound' | 'outbound';
  source: Source;
  /** HTTP status the gateway answered with (inbound) or got back (outbound; 0 when nothing answered). */
  status: number;
  latencyMs: number;
  auth: AuthResult;
  fate: Fate;
  reason: Reason;
  /** One sentence with specifics: which sender, which audience, which host. Never a secret. */
  detail?: string;
  /** Short, flat facts for lists and filters. */
  summary: ActivitySummary;
  /** The activity body with secrets redacted; absent when the body could not be parsed. */
  activity?: Record<string, unknown>;
  /** What the bot answered (inbound, forwarded): its status and body, redacted and capped. */
  botResponse?: { status: number; body?: unknown };
  /** Pairing code, when this record created or touched a pairing request. */
  pairingCode?: string;
  /**
   * Problems noticed without changing the fate or what was relayed: e.g. an invoke answer Teams
   * would reject (late, wrong status, wrong shape). Absent when there is nothing to say.
   * `code` is stable and machine-readable; `text` is one sentence for people.
   */
  warnings?: { code: string; text: string }[];
}

export interface ActivitySummary {
  type?: string;
  name?: string;
  senderId?: string;
  senderName?: string;
  aadObjectId?: string;
  conversationId?: string;
  conversationKind?: ConversationKind;
  teamId?: string;
  /** First 120 characters of the text, if any. */
  text?: string;
}
