/**
 * The IndexedDB schema, through Dexie. Every shipped version stays listed here so that any
 * older database upgrades step by step to the current one.
 */

import Dexie from 'dexie';
import type { EntityTable, Table, Transaction } from 'dexie';
import type { CarriedEnvelope } from '../core/carry-store-port.ts';
import type { Identity } from '../core/identity.ts';
import type { ContactRecord, RetiredIdentity } from '../core/storage-port.ts';
import type { BroadcastRecipient, BroadcastRecord, ContactList, ListMember, OwnProfile } from '../core/organiser/organiser-storage.ts';
import type { FileRecord } from '../core/files/file-storage-port.ts';
import type { FileBodyRow, FilePartRow } from './file-tables.ts';
import type { MessageRow } from './message-words.ts';
import { addWordsToStoredMessages, messageWordsOf } from './message-words.ts';
import { addWordsToStoredGroupMessages, groupMessageWordsOf } from './group-message-words.ts';
import type { WordsOf } from './words-middleware.ts';
import { searchWordsMiddleware } from './words-middleware.ts';
import type { GroupMessageWordsRow } from './group-message-words.ts';
import type { ReceivedTable } from './received-table.ts';
import { addStoredMessagesToReceived } from './received-table.ts';
import { markBroadcastSenders } from './broadcast-senders.ts';
import type {
  BundleRow,
  GroupRecord,
  JoinRequestRow,
  LogRow,
  PairKeyRow,
  PendingJoinRow,
} from '../core/groups/group-types.ts';

export const DATABASE_NAME = 'meshtext';

/** The schema version that added the `*words` search index on messages and the `received` table. */
export const WORDS_SCHEMA_VERSION = 10;

/** The schema version that added the `*words` search index on group messages. */
export const GROUP_WORDS_SCHEMA_VERSION = 11;

/** The schema version that marks contacts who sent broadcasts (see broadcast-senders.ts). */
export const BROADCAST_SENDERS_SCHEMA_VERSION = 13;

/** The single identity row is stored under this key. */
export const IDENTITY_KEY = 'self';

/** Read receipts kept per contact while no link is open; older ones are dropped beyond it. */
export const MAX_PENDING_READ_RECEIPTS = 2048;

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

/** The single own-profile row is stored under IDENTITY_KEY too. */
export interface OwnProfileRow extends OwnProfile {
  key: typeof IDENTITY_KEY;
}

/** An identity replaced by a key rotation, under its address. */
export interface RetiredIdentityRow extends RetiredIdentity {
  address: string;
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
  contactLists: EntityTable<ContactList, 'id'>;
  listMembers: Dexie.Table<ListMember, [string, string]>;
  broadcasts: EntityTable<BroadcastRecord, 'id'>;
  broadcastRecipients: Dexie.Table<BroadcastRecipient, [string, string]>;
  ownProfile: EntityTable<OwnProfileRow, 'key'>;
  files: EntityTable<FileRecord, 'id'>;
  fileBodies: EntityTable<FileBodyRow, 'id'>;
  fileParts: Table<FilePartRow, [string, number]>;
  carried: EntityTable<CarriedEnvelope, 'key'>;
  carrySettings: EntityTable<CarrySettingRow, 'name'>;
  groups: EntityTable<GroupRecord, 'id'>;
  groupLog: EntityTable<LogRow, 'hash'>;
  groupBundles: EntityTable<BundleRow, 'id'>;
  groupMessages: Dexie.Table<GroupMessageWordsRow, [string, string, number]>;
  groupJoinRequests: Dexie.Table<JoinRequestRow, [string, string]>;
  groupPendingJoins: EntityTable<PendingJoinRow, 'group'>;
  groupPairKeys: Dexie.Table<PairKeyRow, [string, string]>;
  retiredIdentities: EntityTable<RetiredIdentityRow, 'address'>;
  received: ReceivedTable;
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
    // Keys replaced by a rotation, kept until the handover to the new key is over.
    version: 5,
    stores: { retiredIdentities: '&address, keepUntil' },
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
  {
    // Contact lists, broadcasts and the own profile; new tables only, so nothing to upgrade.
    version: 9,
    stores: {
      contactLists: '&id',
      listMembers: '&[list+address], address',
      broadcasts: '&id, createdAt',
      broadcastRecipients: '&[broadcast+address], outcome',
      ownProfile: '&key',
    },
  },
  {
    // The multi-entry index on the normalised words of each text lets search read only the
    // matching rows (see message-words.ts). `received` records the seqs accepted from each
    // sender install (see received-table.ts). The upgrade fills both from the stored messages.
    // The presence and typing switches live in the settings table of version 2.
    version: WORDS_SCHEMA_VERSION,
    stores: {
      messages: '&id, [conversation+storedAt], &[conversation+sender+instance+seq], *words',
      received: '&[conversation+sender+instance]',
    },
    upgrade: async (transaction) => {
      await addWordsToStoredMessages(transaction);
      const identity = (await transaction.table<IdentityRow, string>('identity').get(IDENTITY_KEY)) as IdentityRow | undefined;
      await addStoredMessagesToReceived(transaction.table('messages'), transaction.table('received'), identity?.address);
    },
  },
  {
    // Search over group messages through a `*words` index as on messages, which the upgrade
    // fills. `[group+kind+storedAt]` lets the group chat page through its text messages without
    // stepping over read receipts, and `[group+storedAt]` on the log reads the membership events
    // of the page shown.
    version: GROUP_WORDS_SCHEMA_VERSION,
    stores: {
      groupMessages: '&[group+sender+seq], [group+storedAt], id, [group+kind+storedAt], *words',
      groupLog: '&hash, group, [group+storedAt]',
    },
    upgrade: addWordsToStoredGroupMessages,
  },
  {
    // Contacts who sent the user a broadcast carry `lastBroadcastReceivedAt`, so a chat offers to
    // stop broadcasts whatever part of its history is loaded. No index changes. The upgrade fills
    // the field from the stored messages.
    version: BROADCAST_SENDERS_SCHEMA_VERSION,
    stores: {},
    upgrade: (transaction) => markBroadcastSenders(transaction.table('messages'), transaction.table('contacts')),
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
  // Below versions 10 and 11 the rows have no `words` field, as older releases wrote them.
  const wordsOf: Record<string, WordsOf> = {};
  if (upToVersion >= WORDS_SCHEMA_VERSION) wordsOf.messages = messageWordsOf;
  if (upToVersion >= GROUP_WORDS_SCHEMA_VERSION) wordsOf.groupMessages = groupMessageWordsOf;
  if (Object.keys(wordsOf).length > 0) db.use(searchWordsMiddleware(wordsOf));

  return db;
}
