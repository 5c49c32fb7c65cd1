import type { ActivityQuery } from '../../core/activity/activityLog';

/** A sender the Activities view is narrowed to, with the name shown in the view's description. */
export interface SenderFilter {
  id: string;
  name?: string;
}

/**
 * What the Activities view hides. Kept in one place so the rows, the view's
 * description ("what am I not seeing?"), the Clear Filters button and Export
 * Shown Activities can never disagree about it.
 */
/** A conversation the Activities view is narrowed to (Show Activities on a Conversations row). */
export interface ConversationFilter {
  id: string;
  name?: string;
}

export class ActivityFilter {
  notDelivered = false;
  sender?: SenderFilter;
  conversation?: ConversationFilter;
  /** The Delivery Check's probes, hidden unless asked for: they are not messages from anyone. */
  probes = false;

  get active(): boolean {
    return this.notDelivered || this.sender !== undefined || this.conversation !== undefined;
  }

  query(): ActivityQuery {
    return { notDelivered: this.notDelivered || undefined, senderId: this.sender?.id, conversationId: this.conversation?.id, probes: this.probes || undefined };
  }

  /** "not delivered · from Alice Wilber", or undefined when nothing is hidden. */
  describe(): string | undefined {
    const parts: string[] = [];
    if (this.notDelivered) parts.push('not delivered');
    if (this.sender) parts.push(`from ${this.sender.name ?? this.sender.id}`);
    if (this.conversation) parts.push(`in ${this.conversation.name ?? this.conversation.id}`);
    return parts.length ? parts.join(' · ') : undefined;
  }

  clear(): void {
    this.notDelivered = false;
    this.sender = undefined;
    this.conversation = undefined;
    this.probes = false;
  }
}
