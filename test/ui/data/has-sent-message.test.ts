import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import type { ContactRecord, MessageRecord } from '../../../src/core/storage-port.ts';
import type { MeshtextDatabase } from '../../../src/storage/database.ts';
import { openDatabase } from '../../../src/storage/database.ts';
import { hasSentMessage } from '../../../src/ui/data/queries.ts';

const ownAddress = 'mt1own';
const opened: Dexie[] = [];
let databaseCount = 0;

function freshDatabase(): MeshtextDatabase {
  const db = openDatabase(`meshtext-has-sent-test-${databaseCount++}`);
  opened.push(db);

  return db;
}

function contact(address: string): ContactRecord {
  return { address, displayName: address, state: 'contact', unreadCount: 0, lastActivityAt: 0 } as unknown as ContactRecord;
}

function message(conversation: string, sender: string, seq: number): MessageRecord {
  return {
    id: `message-${conversation}-${sender}-${seq}`,
    conversation,
    direction: sender === ownAddress ? 'out' : 'in',
    sender,
    instance: 'instance-aaaa',
    seq,
    text: 'hello',
    sentAt: 1000 + seq,
    storedAt: 1000 + seq,
    status: sender === ownAddress ? 'delivered' : 'received',
  };
}

afterEach(async () => {
  for (const db of opened.splice(0)) {
    db.close();
    await db.delete();
  }
});

describe('hasSentMessage', () => {
  it('is false for a user who only received messages', async () => {
    const db = freshDatabase();
    await db.contacts.bulkAdd([contact('mt1alice'), contact('mt1bob')]);
    await db.messages.bulkAdd([message('mt1alice', 'mt1alice', 1), message('mt1alice', 'mt1alice', 2), message('mt1bob', 'mt1bob', 1)]);

    expect(await hasSentMessage(db, ownAddress)).toBe(false);
  });

  it('is true once the user sent a message in any conversation', async () => {
    const db = freshDatabase();
    await db.contacts.bulkAdd([contact('mt1alice'), contact('mt1bob')]);
    await db.messages.bulkAdd([message('mt1alice', 'mt1alice', 1), message('mt1bob', ownAddress, 1)]);

    expect(await hasSentMessage(db, ownAddress)).toBe(true);
  });

  it('does not count messages sent under another address', async () => {
    const db = freshDatabase();
    await db.contacts.add(contact('mt1alice'));
    await db.messages.add(message('mt1alice', 'mt1retired', 1));

    expect(await hasSentMessage(db, ownAddress)).toBe(false);
  });
});
