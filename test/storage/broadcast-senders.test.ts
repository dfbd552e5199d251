/**
 * The per-contact mark of received broadcasts, which lets a chat offer to stop broadcasts
 * whatever part of its history is loaded. Storing a copy sets it, the schema upgrade fills it
 * for copies stored before, and moving a conversation to a new key keeps it.
 */

import 'fake-indexeddb/auto';
import nacl from 'tweetnacl';
import { afterEach, describe, expect, it } from 'vitest';
import { createIdentity } from '../../src/core/identity.ts';
import type { ContactRecord, MessageRecord } from '../../src/core/storage-port.ts';
import type { MeshtextDatabase } from '../../src/storage/database.ts';
import { BROADCAST_SENDERS_SCHEMA_VERSION, IDENTITY_KEY, openDatabase } from '../../src/storage/database.ts';
import { DexieStorage } from '../../src/storage/dexie-storage.ts';
import { contactFor } from './fixtures.ts';

const opened: MeshtextDatabase[] = [];
let databaseCount = 0;
const own = createIdentity('Me', nacl.randomBytes, 1);

afterEach(async () => {
  for (const db of opened.splice(0)) {
    db.close();
    await db.delete();
  }
});

function track(db: MeshtextDatabase): MeshtextDatabase {
  opened.push(db);

  return db;
}

function message(contact: ContactRecord, seq: number, options: { isBroadcast?: boolean; direction?: 'in' | 'out' } = {}): MessageRecord {
  const direction = options.direction ?? 'in';

  return {
    id: `message-${contact.displayName}-${direction}-${seq}`,
    conversation: contact.address,
    direction,
    sender: direction === 'in' ? contact.address : own.address,
    instance: direction === 'in' ? 'instance-them' : own.instanceId,
    seq,
    text: `text ${seq}`,
    sentAt: seq,
    storedAt: 100 + seq,
    status: direction === 'in' ? 'received' : 'delivered',
    ...(options.isBroadcast && { isBroadcast: true }),
  };
}

describe('broadcast senders', () => {
  it('are marked when a broadcast copy is stored', async () => {
    const storage = new DexieStorage(track(openDatabase(`meshtext-broadcast-senders-${databaseCount++}`)));
    const olivia = contactFor('Olivia');
    await storage.putContact(olivia);

    await storage.storeIncoming([message(olivia, 1)]);
    expect((await storage.getContact(olivia.address))?.lastBroadcastReceivedAt).toBeUndefined();

    await storage.storeIncoming([message(olivia, 2, { isBroadcast: true }), message(olivia, 3)]);
    expect((await storage.getContact(olivia.address))?.lastBroadcastReceivedAt).toBe(102);
  });

  it('stay marked after the copy is deleted', async () => {
    const storage = new DexieStorage(track(openDatabase(`meshtext-broadcast-senders-${databaseCount++}`)));
    const olivia = contactFor('Olivia');
    await storage.putContact(olivia);
    const copy = message(olivia, 1, { isBroadcast: true });
    await storage.storeIncoming([copy]);

    await storage.deleteMessage(copy.id);

    expect((await storage.getContact(olivia.address))?.lastBroadcastReceivedAt).toBe(101);
  });

  it('are filled by the upgrade from copies stored before it', async () => {
    const name = `meshtext-broadcast-senders-${databaseCount++}`;
    const olivia = contactFor('Olivia');
    const bob = contactFor('Bob');
    const old = openDatabase(name, BROADCAST_SENDERS_SCHEMA_VERSION - 1);
    await old.identity.put({ ...own, key: IDENTITY_KEY });
    await old.contacts.bulkPut([olivia, bob]);
    await old.messages.bulkPut([
      message(olivia, 1, { isBroadcast: true }),
      message(olivia, 7, { isBroadcast: true }),
      message(olivia, 8),
      // Bob got no broadcast; the user sent him one, which does not count.
      message(bob, 1),
      message(bob, 1, { isBroadcast: true, direction: 'out' }),
    ]);
    old.close();

    const storage = new DexieStorage(track(openDatabase(name)));

    expect((await storage.getContact(olivia.address))?.lastBroadcastReceivedAt).toBe(107);
    expect((await storage.getContact(bob.address))?.lastBroadcastReceivedAt).toBeUndefined();
    expect((await storage.getContact(olivia.address))?.displayName).toBe('Olivia');
  });

  it('keep the mark when the conversation moves to a new key', async () => {
    const storage = new DexieStorage(track(openDatabase(`meshtext-broadcast-senders-${databaseCount++}`)));
    const old = contactFor('Olivia');
    const next = contactFor('Olivia');
    await storage.putContact(old);
    await storage.putContact(next);
    await storage.storeIncoming([message(old, 4, { isBroadcast: true })]);

    await storage.mergeConversation(old.address, next.address, { from: { state: 'blocked' }, into: { state: 'contact' } });

    expect((await storage.getContact(next.address))?.lastBroadcastReceivedAt).toBe(104);
  });
});
