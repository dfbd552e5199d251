import 'fake-indexeddb/auto';
import nacl from 'tweetnacl';
import { afterEach, describe, expect, it } from 'vitest';
import { signCard } from '../../src/core/card.ts';
import { createIdentity } from '../../src/core/identity.ts';
import type { ContactRecord, MessageRecord } from '../../src/core/storage-port.ts';
import type { MeshtextDatabase } from '../../src/storage/database.ts';
import { openDatabase } from '../../src/storage/database.ts';
import { DexieStorage } from '../../src/storage/dexie-storage.ts';
import { listConversationSummaries } from '../../src/ui/data/conversation-summaries.ts';
import { readLatestPage } from '../../src/ui/data/message-pages.ts';
import { countWaiting } from '../../src/ui/data/queries.ts';

const opened: MeshtextDatabase[] = [];
let databaseCount = 0;

afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

function freshStorage(): DexieStorage {
  const db = openDatabase(`meshtext-summaries-test-${databaseCount++}`);
  opened.push(db);

  return new DexieStorage(db);
}

function contactFor(name: string, fields: Partial<ContactRecord> = {}): ContactRecord {
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

function incoming(from: string, seq: number, text: string, storedAt: number): MessageRecord {
  return { id: `in-${from.slice(3, 11)}-${seq}`, conversation: from, direction: 'in', sender: from, instance: 'instance-0001', seq, text, sentAt: storedAt, storedAt, status: 'received' };
}

describe('conversation summaries', () => {
  it('merges chats and broadcasts by latest activity', async () => {
    const storage = freshStorage();
    const bob = contactFor('Bob', { lastActivityAt: 100 });
    const carol = contactFor('Carol', { lastActivityAt: 300 });
    await storage.putContact(bob);
    await storage.putContact(carol);
    await storage.db.broadcasts.add({ id: 'broadcast-1', template: 'Hi {name}', listIds: [], createdAt: 200, recipientCount: 2 });

    const summaries = await listConversationSummaries(storage.db);

    expect(summaries.map((summary) => summary.key)).toEqual([`direct:${carol.address}`, 'broadcast:broadcast-1', `direct:${bob.address}`]);
  });

  it('leaves out blocked and pending key changes', async () => {
    const storage = freshStorage();
    const bob = contactFor('Bob');
    const bobNewKeys = contactFor('Bob', { state: 'request', rotatedFrom: bob.address });
    const mallory = contactFor('Mallory', { state: 'blocked' });
    await storage.putContact(bob);
    await storage.putContact(bobNewKeys);
    await storage.putContact(mallory);

    const summaries = await listConversationSummaries(storage.db);

    expect(summaries.map((summary) => summary.key)).toEqual([`direct:${bob.address}`]);
  });

  it('shows the last chat message and unread count', async () => {
    const storage = freshStorage();
    const bob = contactFor('Bob');
    await storage.putContact(bob);
    await storage.storeIncoming([incoming(bob.address, 1, 'first', 10), incoming(bob.address, 2, 'second', 20)]);
    await storage.queueOutgoing({ id: 'control-0001', conversation: bob.address, sender: 'mt1self', instance: 'instance-0002', text: '', sentAt: 30, control: { kind: 'opt-out' } });

    const [summary] = await listConversationSummaries(storage.db);

    expect(summary?.kind).toBe('direct');
    expect(summary?.kind === 'direct' && summary.lastMessage?.text).toBe('second');
    expect(summary?.unreadCount).toBe(2);
    expect((await readLatestPage(storage.db, bob.address, 10)).map((message) => message.text)).toEqual(['first', 'second']);
    expect(await countWaiting(storage.db, bob.address)).toBe(0);
  });

  it('leaves out blocked contacts', async () => {
    const storage = freshStorage();
    await storage.putContact(contactFor('Bob'));
    await storage.putContact(contactFor('Mallory', { state: 'blocked' }));

    const summaries = await listConversationSummaries(storage.db);

    expect(summaries.map((summary) => summary.kind === 'direct' && summary.contact.displayName)).toEqual(['Bob']);
  });
});
