/** A pending request from an unknown sender, as persisted in <stateDir>/pairing.json. */
export interface PairingRequest {
  /** The sender's Teams user id (from.id, e.g. "29:1abc…"). One request per sender. */
  id: string;
  /** 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L). */
  code: string;
  createdAt: string;
  lastSeenAt: string;
  /** When the pairing code was sent to the sender; absent until the auto-reply succeeded. */
  repliedAt?: string;
  meta: PairingMeta;
}

export interface PairingMeta {
  name?: string;
  aadObjectId?: string;
  conversationId?: string;
  serviceUrl?: string;
  tenantId?: string;
  /** Messages received from this sender while pending. */
  count: number;
  /** Bot account the sender wrote to, so an approval notice can be sent from it. */
  botId?: string;
  botName?: string;
}

export interface PairingFile {
  version: 1;
  requests: PairingRequest[];
}

export type PairingOutcome = 'approved' | 'rejected' | 'expired';
