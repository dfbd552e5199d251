/**
 * Backups of the local database: the identity, contacts, messages, outbox, sequence counters,
 * contact lists, broadcasts, the profile and groups are read into one JSON document (byte arrays as `{ "$bytes": "<base64url>" }`) and sealed with
 * a passphrase by src/core/crypto/backup.ts. Restoring writes them back in one transaction, so
 * a failed restore leaves the database as it was.
 *
 * The app loads this module with a dynamic import, since scrypt is needed only here.
 */

import nacl from 'tweetnacl';
import { addressFromSigningKey } from '../core/address.ts';
import { bytesEqual, fromBase64Url, fromUtf8, toBase64Url, utf8 } from '../core/bytes.ts';
import { BackupError, openBackup, sealBackup } from '../core/crypto/backup.ts';
import type { BackupKeyDerivation, ScryptParams } from '../core/crypto/backup.ts';
import { createInstanceId } from '../core/identity.ts';
import type { Identity } from '../core/identity.ts';
import type { RandomBytes } from '../core/ports.ts';
import type { IdentityRow, MeshtextDatabase } from './database.ts';
import { IDENTITY_KEY } from './database.ts';
import { addStoredMessagesToReceived } from './received-table.ts';
import { markBroadcastSenders } from './broadcast-senders.ts';
import { toStorageError } from './storage-errors.ts';

/** Tables a backup contains, in the order they are written back. */
export const BACKUP_TABLES = [
  'identity',
  'contacts',
  'messages',
  'outbox',
  'counters',
  // Contact lists, broadcasts and the own profile; a backup made before they existed restores them empty.
  'contactLists',
  'listMembers',
  'broadcasts',
  'broadcastRecipients',
  'ownProfile',
  // Groups: the derived records, the membership log, key bundles, messages and join requests.
  // Pair keys are left out, since the restored identity derives them again.
  'groups',
  'groupLog',
  'groupBundles',
  'groupMessages',
  'groupJoinRequests',
  'groupPendingJoins',
  // Seqs received per sender install, so that messages deleted for me stay deleted after a
  // restore; a backup made before the table existed rebuilds it from its messages.
  'received',
] as const;
export type BackupTable = (typeof BACKUP_TABLES)[number];

/** Called with the fraction of the work done, from 0 to 1. */
export type ProgressCallback = (fraction: number) => void;

/** The decrypted content of a backup file. */
export interface BackupPayload {
  app: 'meshtext';
  /** Dexie schema version of the database the rows were read from. */
  schemaVersion: number;
  exportedAt: number;
  tables: Record<BackupTable, unknown[]>;
}

export interface ExportOptions {
  randomBytes: RandomBytes;
  now: number;
  onProgress?: ProgressCallback;
  /** Key derivation parameters, which tests set low to run fast. */
  scryptParams?: ScryptParams;
  /** Key derivation to use instead of the calling thread's, such as one in a Web Worker. */
  deriveKey?: BackupKeyDerivation;
}

export interface RestoreOptions {
  randomBytes: RandomBytes;
  /** Replace an identity already on this device, with all its contacts and messages. */
  replaceExisting: boolean;
  onProgress?: ProgressCallback;
}

export interface RestoreSummary {
  identity: Identity;
  contactCount: number;
  messageCount: number;
}

/** Share of the progress bar for reading rows, the rest being key derivation. */
const TABLE_WORK_SHARE = 0.1;
const WRITE_CHUNK_ROWS = 500;
const BYTES_MARK = '$bytes';

/**
 * Reads every backed-up table and returns the encrypted backup file text.
 * @throws BackupError with reason `damaged` when the database has no identity to back up.
 */
export async function exportBackup(db: MeshtextDatabase, passphrase: string, options: ExportOptions): Promise<string> {
  const report = options.onProgress ?? (() => undefined);
  const tables = await readTables(db);

  if (tables.identity.length === 0) throw new BackupError('damaged', 'there is no identity to back up');
  report(TABLE_WORK_SHARE);

  const payload: BackupPayload = { app: 'meshtext', schemaVersion: db.verno, exportedAt: options.now, tables };
  const plaintext = utf8(JSON.stringify(payload, encodeBytes));
  const fileText = await sealBackup(plaintext, passphrase, {
    randomBytes: options.randomBytes,
    ...(options.scryptParams ? { params: options.scryptParams } : {}),
    ...(options.deriveKey ? { deriveKey: options.deriveKey } : {}),
    onProgress: (fraction) => report(TABLE_WORK_SHARE + fraction * (1 - TABLE_WORK_SHARE)),
  });
  report(1);

  return fileText;
}

/**
 * Decrypts backup file text and checks the shape of its content and its identity keys, so that
 * a caller can stop its own work before `restoreBackup` with little left to fail. Key
 * derivation is nearly all of the work, so progress follows it.
 * @throws BackupError from `openBackup`, `unsupported-version` for a backup from a newer schema,
 *   and `damaged` when the content is not a Meshtext backup.
 */
export async function decryptBackup(
  db: MeshtextDatabase,
  fileText: string,
  passphrase: string,
  onProgress?: ProgressCallback,
  deriveKey?: BackupKeyDerivation,
): Promise<BackupPayload> {
  const plaintext = await openBackup(fileText, passphrase, onProgress, deriveKey);

  let value: unknown;
  try {
    value = JSON.parse(fromUtf8(plaintext), decodeBytes);
  } catch (error) {
    throw new BackupError('damaged', 'backup content is not JSON', { cause: error });
  }

  return checkPayload(value, db.verno);
}

/** Tells whether the database already contains an identity, which a restore would replace. */
export async function hasIdentity(db: MeshtextDatabase): Promise<boolean> {
  return (await db.identity.count()) > 0;
}

/**
 * Writes a decrypted backup into the database in one transaction, after clearing the backed-up
 * tables. The identity gets a new instance id, so messages this install sends never reuse a
 * (sender, instance, seq) triple that the old install already used.
 * @throws BackupError `identity-exists` when an identity is stored and `replaceExisting` is false,
 *   `damaged` when the rows cannot be stored as they are, or a storage error (quota, closed).
 */
export async function restoreBackup(
  db: MeshtextDatabase,
  payload: BackupPayload,
  options: RestoreOptions,
): Promise<RestoreSummary> {
  const report = options.onProgress ?? (() => undefined);
  const identityRow: IdentityRow = {
    ...checkIdentityRow(payload.tables.identity),
    instanceId: createInstanceId(options.randomBytes),
  };
  const tables = { ...payload.tables, identity: [identityRow] };
  const totalRows = BACKUP_TABLES.reduce((sum, name) => sum + tables[name].length, 0);
  let writtenRows = 0;

  try {
    await db.transaction('rw', [...BACKUP_TABLES.map((name) => db.table(name)), db.retiredIdentities, db.groupPairKeys], async () => {
      if ((await db.identity.count()) > 0 && !options.replaceExisting) {
        throw new BackupError('identity-exists', 'this device already has an identity');
      }

      for (const name of BACKUP_TABLES) await db.table(name).clear();
      // Keys retired by the replaced identity must not collect mail into the restored one.
      await db.retiredIdentities.clear();
      await db.groupPairKeys.clear();
      for (const name of BACKUP_TABLES) {
        const rows = tables[name];
        for (let start = 0; start < rows.length; start += WRITE_CHUNK_ROWS) {
          const chunk = rows.slice(start, start + WRITE_CHUNK_ROWS);
          await db.table(name).bulkAdd(chunk);
          writtenRows += chunk.length;
          report(writtenRows / totalRows);
        }
      }
      // Every restored message counts as received, whether or not the backup listed its seq.
      await addStoredMessagesToReceived(db.messages, db.received, identityRow.address);
      // A backup from before schema version 13 has no broadcast marks on its contacts.
      await markBroadcastSenders(db.messages, db.contacts);
    });
  } catch (error) {
    throw toRestoreError(error);
  }
  report(1);

  const { key: _key, ...identity } = identityRow;

  return { identity, contactCount: tables.contacts.length, messageCount: tables.messages.length };
}

async function readTables(db: MeshtextDatabase): Promise<Record<BackupTable, unknown[]>> {
  return db.transaction('r', BACKUP_TABLES.map((name) => db.table(name)), async () => {
    const entries = await Promise.all(
      BACKUP_TABLES.map(async (name) => [name, await db.table(name).toArray()] as const),
    );

    return Object.fromEntries(entries) as Record<BackupTable, unknown[]>;
  });
}

function encodeBytes(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? { [BYTES_MARK]: toBase64Url(value) } : value;
}

function decodeBytes(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;

  const keys = Object.keys(value);
  const encoded = (value as Record<string, unknown>)[BYTES_MARK];

  return keys.length === 1 && typeof encoded === 'string' ? fromBase64Url(encoded) : value;
}

function checkPayload(value: unknown, currentSchemaVersion: number): BackupPayload {
  if (typeof value !== 'object' || value === null || (value as { app?: unknown }).app !== 'meshtext') {
    throw new BackupError('damaged', 'backup content is not a Meshtext backup');
  }

  const { schemaVersion, exportedAt, tables } = value as Record<string, unknown>;
  if (typeof schemaVersion !== 'number' || typeof exportedAt !== 'number') {
    throw new BackupError('damaged', 'backup content has no schema version or export time');
  }
  if (schemaVersion > currentSchemaVersion) {
    throw new BackupError(
      'unsupported-version',
      `backup has database schema ${schemaVersion}, newer than this app's ${currentSchemaVersion}`,
    );
  }
  if (typeof tables !== 'object' || tables === null) throw new BackupError('damaged', 'backup content has no tables');

  const checked = {} as Record<BackupTable, unknown[]>;
  for (const name of BACKUP_TABLES) {
    const rows = (tables as Record<string, unknown>)[name] ?? [];
    if (!Array.isArray(rows) || !rows.every((row) => typeof row === 'object' && row !== null)) {
      throw new BackupError('damaged', `backup table ${name} is not a list of rows`);
    }
    checked[name] = rows;
  }
  checkIdentityRow(checked.identity);

  return { app: 'meshtext', schemaVersion, exportedAt, tables: checked };
}

/**
 * Checks that the backup contains exactly one identity whose keys belong together, so a restore
 * never stores an identity that could not sign or decrypt.
 */
function checkIdentityRow(rows: unknown[]): IdentityRow {
  if (rows.length !== 1) throw new BackupError('damaged', `backup has ${rows.length} identities, expected 1`);

  const row = rows[0] as Partial<IdentityRow>;
  const { signingPublicKey, signingSecretKey, boxPublicKey, boxSecretKey } = row;
  const hasKeys =
    isBytes(signingPublicKey, 32) && isBytes(signingSecretKey, 64) && isBytes(boxPublicKey, 32) && isBytes(boxSecretKey, 32);

  if (
    row.key !== IDENTITY_KEY ||
    typeof row.displayName !== 'string' ||
    !hasKeys ||
    row.address !== addressFromSigningKey(signingPublicKey) ||
    !bytesEqual(signingSecretKey.subarray(32), signingPublicKey) ||
    !bytesEqual(nacl.scalarMult.base(boxSecretKey), boxPublicKey)
  ) {
    throw new BackupError('damaged', 'backup identity is incomplete or its keys do not belong together');
  }

  return row as IdentityRow;
}

function isBytes(value: unknown, length: number): value is Uint8Array {
  return value instanceof Uint8Array && value.length === length;
}

/** Passes BackupErrors on, reports rows that Dexie could not add as a damaged backup and names storage failures. */
function toRestoreError(error: unknown): unknown {
  if (error instanceof BackupError) return error;

  const name = (error as { name?: string } | null)?.name;
  if (name === 'BulkError' || name === 'ConstraintError' || name === 'DataError') {
    return new BackupError('damaged', 'backup rows could not be stored', { cause: error });
  }

  return toStorageError(error);
}
