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
export class ActivityFilter {
  notDelivered = false;
  sender?: SenderFilter;

  get active(): boolean {
    return this.notDelivered || this.sender !== undefined;
  }

  query(): ActivityQuery {
    return { notDelivered: this.notDelivered || undefined, senderId: this.sender?.id };
  }

  /** "not delivered · from Alice Wilber", or undefined when nothing is hidden. */
  describe(): string | undefined {
    const parts: string[] = [];
    if (this.notDelivered) parts.push('not delivered');
    if (this.sender) parts.push(`from ${this.sender.name ?? this.sender.id}`);
    return parts.length ? parts.join(' · ') : undefined;
  }

  clear(): void {
    this.notDelivered = false;
    this.sender = undefined;
  }
}
