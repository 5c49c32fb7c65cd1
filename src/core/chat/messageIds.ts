/**
 * Ids for the messages of simulated conversations: the user's (chat panel,
 * Simulate Incoming Message) and the bot's (the simulator connector assigns
 * one to each reply). Teams' message ids are millisecond timestamps
 * ("1740123456789"), and a channel thread is named by its root message's id
 * (";messageid=…"), so these look the same. A plain Date.now() would give two
 * replies sent within one millisecond the same id, and an update or delete
 * aimed at one would hit the other: each id is one past the last when the
 * clock has not moved on. One counter per process, so two gateways in one
 * process (tests, the extension host) never hand out the same id either.
 */
let last = 0;

export function nextMessageId(): string {
  last = Math.max(Date.now(), last + 1);
  return String(last);
}
