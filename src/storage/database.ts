/**
 * The IndexedDB schema, through Dexie. Every shipped version stays listed here so that any
 * older database upgrades step by step to the current one.
 */

import Dexie from 'dexie';
import type { EntityTable } from 'dexie';
import type { Identity } from '../core/identity.ts';
import type { ContactRecord, MessageRecord } from '../core/storage-port.ts';

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

export interface CounterRow {
  name: string;
  value: number;
}

export type MeshtextDatabase = Dexie & {
  identity: EntityTable<IdentityRow, 'key'>;
  contacts: EntityTable<ContactRecord, 'address'>;
  messages: EntityTable<MessageRecord, 'id'>;
  outbox: EntityTable<OutboxRow, 'messageId'>;
  counters: EntityTable<CounterRow, 'name'>;
};

/** Opens (or creates) the database; pass another name in tests to keep databases apart. */
export function openDatabase(name = DATABASE_NAME): MeshtextDatabase {
  const db = new Dexie(name) as MeshtextDatabase;

  db.version(1).stores({
    identity: '&key',
    contacts: '&address, state, lastActivityAt',
    messages: '&id, [conversation+storedAt], &[conversation+sender+instance+seq]',
    outbox: '&messageId, [conversation+seq]',
    counters: '&name',
  });

  return db;
}
