import * as fs from 'node:fs';

/**
 * The msteams senders approved through pairing, read from OpenClaw's SQLite
 * store (table channel_pairing_allow_entries). OpenClaw has no command that
 * lists them, so this reads the store directly, read-only, through Node's
 * built-in node:sqlite: a real SQLite that also sees rows still in the -wal
 * file of a running gateway. node:sqlite exists from Node 22.5 (unflagged
 * from 22.13); on an older extension host this says so instead of guessing.
 */
/** Not the pairing allow store's ApprovedSender (core/pairing/allowStore.ts): a row of OpenClaw's own store. */
export interface OpenClawApprovedSender {
  /** The AAD object id (or whatever id OpenClaw stored). */
  entry: string;
  accountId: string;
  /** When it was approved (ms since epoch). */
  approvedAt: number;
}

export type ApprovedSendersResult =
  | { ok: true; senders: OpenClawApprovedSender[] }
  | { ok: false; reason: string };

interface SqliteStatement {
  all(...params: unknown[]): Record<string, unknown>[];
}
interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): void;
  close(): void;
}
type DatabaseSyncCtor = new (file: string, opts?: { readOnly?: boolean }) => SqliteDatabase;

function loadSqlite(): DatabaseSyncCtor | undefined {
  try {
    // Not `import`: bundlers and Node 20 must not fail on a module that may not exist.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('node:sqlite') as { DatabaseSync: DatabaseSyncCtor }).DatabaseSync;
  } catch {
    return undefined;
  }
}

export function readApprovedSenders(storePath: string, accountId: string): ApprovedSendersResult {
  if (!fs.existsSync(storePath)) return { ok: true, senders: [] };
  const DatabaseSync = loadSqlite();
  if (!DatabaseSync) {
    return {
      ok: false,
      reason: `listing approved senders needs node:sqlite (Node 22.13 or newer); this VS Code runs Node ${process.versions.node}`,
    };
  }
  let db: SqliteDatabase | undefined;
  try {
    db = new DatabaseSync(storePath, { readOnly: true });
    db.exec('PRAGMA busy_timeout = 2000');
    const rows = db
      .prepare(
        'SELECT entry, account_id, updated_at FROM channel_pairing_allow_entries WHERE channel_key = ? AND account_id = ? ORDER BY sort_order, entry',
      )
      .all('msteams', accountId.toLowerCase());
    return {
      ok: true,
      senders: rows.map((r) => ({ entry: String(r.entry), accountId: String(r.account_id), approvedAt: Number(r.updated_at) })),
    };
  } catch (err) {
    return { ok: false, reason: `could not read ${storePath}: ${(err as Error).message}` };
  } finally {
    db?.close();
  }
}
