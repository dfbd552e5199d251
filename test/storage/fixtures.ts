/**
 * Databases and records the storage tests share. Every database is opened in fake-indexeddb
 * under a name of its own, so tests never see each other's rows. A test file imports
 * 'fake-indexeddb/auto' before anything else, because Dexie looks up IndexedDB when it loads,
 * and calls `afterEach(deleteTestDatabases)`.
 */

import nacl from 'tweetnacl';
import { signCard } from '../../src/core/card.ts';
import { createIdentity } from '../../src/core/identity.ts';
import type { ContactRecord, MessageRecord } from '../../src/core/storage-port.ts';
import type { MeshtextDatabase } from '../../src/storage/database.ts';
import { openDatabase } from '../../src/storage/database.ts';
import { DexieStorage } from '../../src/storage/dexie-storage.ts';

const opened: MeshtextDatabase[] = [];
let databaseCount = 0;

/** Returns a database name that no other test of this file uses. */
export function uniqueDatabaseName(): string {
  return `meshtext-test-${databaseCount++}`;
}

/** Registers `db` to be closed and deleted after the test, and returns it. */
export function trackDatabase(db: MeshtextDatabase): MeshtextDatabase {
  opened.push(db);

  return db;
}

/** Opens an empty database at the current schema version. */
export function freshDatabase(): MeshtextDatabase {
  return trackDatabase(openDatabase(uniqueDatabaseName()));
}

/** Opens an empty database and returns the core storage over it. */
export function freshStorage(): DexieStorage {
  return new DexieStorage(freshDatabase());
}

/** Closes and deletes every database the test opened. */
export async function deleteTestDatabases(): Promise<void> {
  for (const db of opened.splice(0)) {
    db.close();
    await db.delete();
  }
}

/** Returns an accepted contact with fresh keys and a signed card, changed by `fields`. */
export function contactFor(name: string, fields: Partial<ContactRecord> = {}): ContactRecord {
  const identity = createIdentity(name, nacl.randomBytes, 1);

  return {
    address: identity.address,
    displayName: name,
    signingPublicKey: identity.signingPublicKey,
    boxPublicKey: identity.boxPublicKey,
    card: signCard(identity),
    state: 'contact',
    addedAt: 1,
    lastActivityAt: 1,
    unreadCount: 0,
    ...fields,
  };
}

/** Returns message `seq` received from `from` in their chat, changed by `fields`. */
export function incomingMessage(from: string, seq: number, fields: Partial<MessageRecord> = {}): MessageRecord {
  return {
    id: `incoming-${from.slice(3, 11)}-${seq}`,
    conversation: from,
    direction: 'in',
    sender: from,
    instance: 'instance-aaaa',
    seq,
    text: `message ${seq}`,
    sentAt: 10 + seq,
    storedAt: 100 + seq,
    status: 'received',
    ...fields,
  };
}
