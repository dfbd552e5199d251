/**
 * The IndexedDB schema, through Dexie. Every shipped version stays listed here so that any
 * older database upgrades step by step to the current one.
 */

import Dexie from 'dexie';
import type { EntityTable, Table, Transaction } from 'dexie';
import type { CarriedEnvelope } from '../core/carry-store-port.ts';
import type { Identity } from '../core/identity.ts';
import type { ContactRecord } from '../core/storage-port.ts';
import type { FileRecord } from '../core/files/file-storage-port.ts';
import type { FileBodyRow, FilePartRow } from './file-tables.ts';
import type { MessageRow } from './message-words.ts';
import { addWordsToStoredMessages, indexMessageWords } from './message-words.ts';
import type {
  BundleRow,
  GroupMessageRow,
  GroupRecord,
  JoinRequestRow,
  LogRow,
  PairKeyRow,
  PendingJoinRow,
} from '../core/groups/group-types.ts';

export const DATABASE_NAME = 'meshtext';

/** The single identity row is stored under this key. */
export const IDENTITY_KEY = 'self';

export interface IdentityRow extends Identity {
  key: typeof IDENTITY_KEY;
}

export interface OutboxRow {
  messageId: string;
  conversation: string;
  seq: number;
  queuedAt: number;
}

/** A user setting, such as whether read receipts go out. */
export interface SettingRow {
  key: string;
  value: unknown;
}

export interface CounterRow {
  name: string;
  value: number;
}

/** One setting of carrying for other peers, such as `carryForContacts`. */
export interface CarrySettingRow {
  name: string;
  value: boolean;
}

export type MeshtextDatabase = Dexie & {
  identity: EntityTable<IdentityRow, 'key'>;
  contacts: EntityTable<ContactRecord, 'address'>;
  messages: EntityTable<MessageRow, 'id'>;
  outbox: EntityTable<OutboxRow, 'messageId'>;
  counters: EntityTable<CounterRow, 'name'>;
  settings: EntityTable<SettingRow, 'key'>;
  files: EntityTable<FileRecord, 'id'>;
  fileBodies: EntityTable<FileBodyRow, 'id'>;
  fileParts: Table<FilePartRow, [string, number]>;
  carried: EntityTable<CarriedEnvelope, 'key'>;
  carrySettings: EntityTable<CarrySettingRow, 'name'>;
  groups: EntityTable<GroupRecord, 'id'>;
  groupLog: EntityTable<LogRow, 'hash'>;
  groupBundles: EntityTable<BundleRow, 'id'>;
  groupMessages: Dexie.Table<GroupMessageRow, [string, string, number]>;
  groupJoinRequests: Dexie.Table<JoinRequestRow, [string, string]>;
  groupPendingJoins: EntityTable<PendingJoinRow, 'group'>;
  groupPairKeys: Dexie.Table<PairKeyRow, [string, string]>;
};

/**
 * One shipped schema version: the tables it adds or changes (Dexie keeps the others as they
 * were) and, when rows must change shape, the step that moves them.
 */
export interface SchemaVersion {
  version: number;
  stores: Record<string, string | null>;
  upgrade?: (transaction: Transaction) => Promise<void> | void;
}

/**
 * Every version ever shipped, oldest first. Each change gets a new entry. A shipped entry is
 * never edited, because databases already on that version would not see the change.
 */
export const schemaVersions: readonly SchemaVersion[] = [
  {
    version: 1,
    stores: {
      identity: '&key',
      contacts: '&address, state, lastActivityAt',
      messages: '&id, [conversation+storedAt], &[conversation+sender+instance+seq]',
      outbox: '&messageId, [conversation+seq]',
      counters: '&name',
    },
  },
  {
    // User settings, starting with the read receipt switch.
    version: 2,
    stores: {
      settings: '&key',
    },
  },
  {
    // Attached files: transfer state, whole bodies as blobs, and parts of files still arriving.
    version: 3,
    stores: {
      files: '&id, [conversation+state]',
      fileBodies: '&id',
      fileParts: '&[fileId+index], fileId',
    },
  },
  {
    // Envelopes carried for other peers (peer-courier.ts) and the setting that allows it.
    version: 4,
    stores: {
      carried: '&key, [tag+expiresAt], handedBy, expiresAt',
      carrySettings: '&name',
    },
  },
  {
    // The multi-entry index on the normalised words of each text lets search read only the
    // matching rows (see message-words.ts). The presence and typing switches live in the
    // settings table of version 2.
    version: 7,
    stores: {
      messages: '&id, [conversation+storedAt], &[conversation+sender+instance+seq], *words',
    },
    upgrade: addWordsToStoredMessages,
  },
  {
    // Groups: derived records, the membership log, key bundles, messages, join requests, and
    // pair keys derived from the identity's box key, which a restart would otherwise recompute.
    version: 8,
    stores: {
      groups: '&id, lastActivityAt',
      groupLog: '&hash, group',
      groupBundles: '&id, group',
      groupMessages: '&[group+sender+seq], [group+storedAt], id',
      groupJoinRequests: '&[group+address], group',
      groupPendingJoins: '&group',
      groupPairKeys: '&[owner+boxKey]',
    },
  },
];

/**
 * Opens (or creates) the database. Tests pass another name to keep databases apart.
 * `upToVersion` declares only the versions up to that one, so that an upgrade test can
 * create a database exactly as an older release left it.
 */
export function openDatabase(name = DATABASE_NAME, upToVersion = Infinity): MeshtextDatabase {
  const db = new Dexie(name) as MeshtextDatabase;

  for (const schema of schemaVersions) {
    if (schema.version > upToVersion) {
      break;
    }
    const declared = db.version(schema.version).stores(schema.stores);
    if (schema.upgrade) {
      declared.upgrade(schema.upgrade);
    }
  }
  indexMessageWords(db.messages);

  return db;
}
