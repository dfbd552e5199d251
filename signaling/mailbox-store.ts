/**
 * SQLite storage of the relay mailbox (better-sqlite3). The database runs in WAL mode with
 * `synchronous = FULL`, so a committed transaction is on disk before `commit` returns, and in
 * exclusive locking mode, so a second relay on the same data directory fails at start instead
 * of sharing the file. Bodies are sealed envelopes that the relay stores as opaque bytes; the
 * sender of an envelope is not stored.
 */

import Database from 'better-sqlite3';

/** File name of the mailbox database inside the data directory. */
export const MAILBOX_FILE_NAME = 'mailbox.sqlite';

/**
 * Time to wait for another process's lock on the database file before failing. Only a second
 * relay on the same data directory takes one, for example an old instance still shutting down.
 */
const LOCK_TIMEOUT_MS = 1_000;

/** Number of expired rows deleted per transaction, so one sweep never blocks for long. */
const EXPIRY_CHUNK_ROWS = 1_000;

const SCHEMA_VERSION = 1;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS envelopes (
    id TEXT PRIMARY KEY,
    recipient TEXT NOT NULL,
    body BLOB NOT NULL,
    size INTEGER NOT NULL,
    stored_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS envelopes_by_recipient ON envelopes (recipient, stored_at);
  CREATE INDEX IF NOT EXISTS envelopes_by_expiry ON envelopes (expires_at);
`;

/** A row to insert. */
export interface EnvelopeRow {
  id: string;
  recipient: string;
  body: Buffer;
  storedAt: number;
  expiresAt: number;
}

/** A stored envelope as returned to its recipient. */
export interface StoredEnvelope {
  id: string;
  body: Buffer;
  storedAt: number;
  expiresAt: number;
}

/** Number and total body size of a set of envelopes. */
export interface EnvelopeUsage {
  count: number;
  bytes: number;
}

/** Envelopes removed by one expiry pass, with the usage freed per recipient. */
export interface ExpiredEnvelopes {
  total: EnvelopeUsage;
  byRecipient: Map<string, EnvelopeUsage>;
}

/** Synchronous access to the mailbox table. */
export interface MailboxStore {
  /** Inserts rows in one transaction; all of them are on disk when it returns. */
  insertAll(rows: readonly EnvelopeRow[]): void;
  /** Returns the number and size of all envelopes stored for `recipient`, expired ones included. */
  usageOf(recipient: string): EnvelopeUsage;
  /** Returns the usage of the whole table. */
  totalUsage(): EnvelopeUsage;
  /**
   * Returns the oldest unexpired envelopes of `recipient`: at most `limit` of them, and no more
   * once their bodies add up to `maxBytes`, except that the first one is always included.
   */
  fetch(recipient: string, nowMs: number, limit: number, maxBytes: number): StoredEnvelope[];
  /** Deletes the listed envelopes of `recipient`. Ids of other recipients are ignored. */
  deleteOwn(recipient: string, ids: readonly string[]): EnvelopeUsage;
  /** Deletes every envelope that expired at or before `nowMs`, in chunks. */
  deleteExpired(nowMs: number): ExpiredEnvelopes;
  close(): void;
}

/**
 * Opens or creates the mailbox database at `file`, or an in-memory one for ':memory:'.
 * @throws the SQLite error when the file cannot be opened or is locked by another process;
 *   its `code` is then 'SQLITE_BUSY'.
 */
export function openMailboxStore(file: string): MailboxStore {
  const db = new Database(file, { timeout: LOCK_TIMEOUT_MS });

  try {
    // Set before the first WAL access, so that SQLite keeps the WAL index in process memory
    // instead of a shared-memory file.
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }

  const insert = db.prepare<[string, string, Buffer, number, number, number]>(
    'INSERT INTO envelopes (id, recipient, body, size, stored_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const selectUsage = db.prepare<[string], { count: number; bytes: number }>(
    'SELECT COUNT(*) AS count, COALESCE(SUM(size), 0) AS bytes FROM envelopes WHERE recipient = ?',
  );
  const selectTotal = db.prepare<[], { count: number; bytes: number }>(
    'SELECT COUNT(*) AS count, COALESCE(SUM(size), 0) AS bytes FROM envelopes',
  );
  const selectOldest = db.prepare<[string, number, number], { id: string; body: Buffer; stored_at: number; expires_at: number }>(
    `SELECT id, body, stored_at, expires_at FROM envelopes
     WHERE recipient = ? AND expires_at > ?
     ORDER BY stored_at, rowid
     LIMIT ?`,
  );
  const deleteById = db.prepare<[string, string], { size: number }>(
    'DELETE FROM envelopes WHERE recipient = ? AND id = ? RETURNING size',
  );
  const deleteExpiredChunk = db.prepare<[number, number], { recipient: string; size: number }>(
    `DELETE FROM envelopes WHERE rowid IN (
       SELECT rowid FROM envelopes WHERE expires_at <= ? LIMIT ?
     ) RETURNING recipient, size`,
  );

  const insertAll = db.transaction((rows: readonly EnvelopeRow[]) => {
    for (const row of rows) insert.run(row.id, row.recipient, row.body, row.body.length, row.storedAt, row.expiresAt);
  });

  const deleteOwn = db.transaction((recipient: string, ids: readonly string[]): EnvelopeUsage => {
    const usage = { count: 0, bytes: 0 };

    for (const id of ids) {
      const deleted = deleteById.get(recipient, id);
      if (deleted === undefined) continue;
      usage.count += 1;
      usage.bytes += deleted.size;
    }

    return usage;
  });

  const deleteExpiredOnce = db.transaction((nowMs: number) => deleteExpiredChunk.all(nowMs, EXPIRY_CHUNK_ROWS));

  return {
    insertAll: (rows) => insertAll(rows),

    usageOf: (recipient) => selectUsage.get(recipient) ?? { count: 0, bytes: 0 },

    totalUsage: () => selectTotal.get() ?? { count: 0, bytes: 0 },

    fetch(recipient, nowMs, limit, maxBytes) {
      const envelopes: StoredEnvelope[] = [];
      let bytes = 0;

      for (const row of selectOldest.iterate(recipient, nowMs, limit)) {
        if (envelopes.length > 0 && bytes + row.body.length > maxBytes) break;
        bytes += row.body.length;
        envelopes.push({ id: row.id, body: row.body, storedAt: row.stored_at, expiresAt: row.expires_at });
      }

      return envelopes;
    },

    deleteOwn: (recipient, ids) => deleteOwn(recipient, ids),

    deleteExpired(nowMs) {
      const expired: ExpiredEnvelopes = { total: { count: 0, bytes: 0 }, byRecipient: new Map() };

      for (;;) {
        const rows = deleteExpiredOnce(nowMs);

        for (const row of rows) {
          const usage = expired.byRecipient.get(row.recipient) ?? { count: 0, bytes: 0 };
          usage.count += 1;
          usage.bytes += row.size;
          expired.byRecipient.set(row.recipient, usage);
          expired.total.count += 1;
          expired.total.bytes += row.size;
        }

        if (rows.length < EXPIRY_CHUNK_ROWS) return expired;
      }
    },

    close: () => db.close(),
  };
}

function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;

  if (version > SCHEMA_VERSION) {
    throw new Error(`mailbox database has schema version ${version}, newer than this relay's ${SCHEMA_VERSION}; update the relay`);
  }

  // Writing the schema also takes the exclusive lock, so a second relay fails here.
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec(SCHEMA);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
    db.exec('COMMIT');
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}
