import type { Activity } from '../activity/activity';

/** The one way the gateway talks back to Teams; the connector client implements it. */
export interface SendTarget {
  serviceUrl: string;
  conversationId: string;
  replyToId?: string;
}

export type SendResult =
  | { ok: true; status: number; id?: string }
  | { ok: false; reason: 'send-refused-host' | 'send-failed' | 'send-no-credentials'; status: number; detail: string };

export interface ActivitySender {
  send(target: SendTarget, activity: Partial<Activity>): Promise<SendResult>;
}
