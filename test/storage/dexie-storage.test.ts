import 'fake-indexeddb/auto';
import nacl from 'tweetnacl';
import { afterEach, describe, expect, it } from 'vitest';
import { createIdentity } from '../../src/core/identity.ts';
import type { MessageRecord } from '../../src/core/storage-port.ts';
import { openDatabase } from '../../src/storage/database.ts';
import { DexieStorage } from '../../src/storage/dexie-storage.ts';
import { StorageFullError } from '../../src/storage/storage-errors.ts';
import { countWaiting } from '../../src/ui/data/queries.ts';
import { contactFor, incomingMessage, deleteTestDatabases, freshStorage, trackDatabase } from './fixtures.ts';

function incoming(from: string, seq: number, id?: string): MessageRecord {
  return incomingMessage(from, seq, id === undefined ? {} : { id });
}

afterEach(deleteTestDatabases);

describe('DexieStorage', () => {
  it('keeps the identity with its keys across reopening', async () => {
    const storage = freshStorage();
    const identity = createIdentity('Alice', nacl.randomBytes, 5);
    await storage.saveIdentity(identity);

    storage.db.close();
    await storage.db.open();
    const loaded = await storage.loadIdentity();

    expect(loaded?.address).toBe(identity.address);
    expect(loaded?.signingSecretKey).toEqual(identity.signingSecretKey);
    expect(loaded?.instanceId).toBe(identity.instanceId);
  });

  it('numbers outgoing messages per conversation and lists the outbox in order', async () => {
    const storage = freshStorage();
    const bob = contactFor('Bob');
    const carol = contactFor('Carol');
    await storage.putContact(bob);
    await storage.putContact(carol);

    for (const [index, conversation] of [bob.address, carol.address, bob.address].entries()) {
      await storage.queueOutgoing({ id: `out-message-${index}`, conversation, sender: 'me', instance: 'instance-me', text: `t${index}`, sentAt: index });
    }
    const bobOutbox = await storage.listOutbox(bob.address);

    expect(bobOutbox.map((message) => [message.seq, message.text, message.status])).toEqual([
      [1, 't0', 'queued'],
      [2, 't2', 'queued'],
    ]);
    expect((await storage.listOutbox(carol.address)).map((message) => message.seq)).toEqual([1]);
    expect((await storage.listOutboxConversations()).sort()).toEqual([bob.address, carol.address].sort());
  });

  it('moves messages from queued to sent to delivered and empties the outbox', async () => {
    const storage = freshStorage();
    const bob = contactFor('Bob');
    await storage.putContact(bob);
    const message = await storage.queueOutgoing({ id: 'out-message-1', conversation: bob.address, sender: 'me', instance: 'instance-me', text: 'x', sentAt: 1 });

    await storage.markSent([message.id]);
    expect((await storage.db.messages.get(message.id))?.status).toBe('sent');

    await storage.markDelivered(bob.address, [message.id]);
    await storage.markSent([message.id]);
    expect((await storage.db.messages.get(message.id))?.status).toBe('delivered');
    expect(await storage.listOutbox(bob.address)).toEqual([]);
  });

  it('ignores a receipt from another conversation', async () => {
    const storage = freshStorage();
    const bob = contactFor('Bob');
    const mallory = contactFor('Mallory');
    const message = await storage.queueOutgoing({ id: 'out-message-1', conversation: bob.address, sender: 'me', instance: 'instance-me', text: 'x', sentAt: 1 });

    await storage.markDelivered(mallory.address, [message.id]);

    expect((await storage.listOutbox(bob.address)).map((queued) => queued.id)).toEqual([message.id]);
  });

  it('stores an incoming message once and creates the request contact with it', async () => {
    const storage = freshStorage();
    const alice = contactFor('Alice', { state: 'request' });

    expect(await storage.storeIncoming([incoming(alice.address, 1)], alice)).toEqual(['stored']);
    expect(await storage.storeIncoming([incoming(alice.address, 1, 'other-id-0001')], alice)).toEqual(['duplicate']);
    expect(await storage.storeIncoming([incoming(alice.address, 2)], alice)).toEqual(['stored']);

    const contact = await storage.getContact(alice.address);
    expect(contact?.state).toBe('request');
    expect(contact?.unreadCount).toBe(2);
    expect(await storage.db.messages.count()).toBe(2);
  });

  it('stores a batch in one go and skips duplicates inside it', async () => {
    const storage = freshStorage();
    const alice = contactFor('Alice');
    await storage.putContact(alice);
    await storage.storeIncoming([incoming(alice.address, 1)]);

    const results = await storage.storeIncoming([
      incoming(alice.address, 1, 'resent-id-0001'),
      incoming(alice.address, 2),
      incoming(alice.address, 2, 'twice-in-batch'),
      incoming(alice.address, 3),
    ]);

    expect(results).toEqual(['duplicate', 'stored', 'duplicate', 'stored']);
    expect(await storage.db.messages.count()).toBe(3);
    expect((await storage.getContact(alice.address))?.unreadCount).toBe(3);
  });

  it('lists only the outbox after a given sequence number', async () => {
    const storage = freshStorage();
    const bob = contactFor('Bob');
    for (let index = 0; index < 4; index++) {
      await storage.queueOutgoing({ id: `out-message-${index}`, conversation: bob.address, sender: 'me', instance: 'instance-me', text: `t${index}`, sentAt: index });
    }

    expect((await storage.listOutbox(bob.address, 2)).map((message) => message.seq)).toEqual([3, 4]);
  });

  it('reports a full disk as StorageFullError and keeps what was stored', async () => {
    const storage = freshStorage();
    const alice = contactFor('Alice');
    await storage.putContact(alice);
    await storage.storeIncoming([incoming(alice.address, 1)]);
    storage.db.messages.hook('creating', () => {
      throw new DOMException('the quota has been exceeded', 'QuotaExceededError');
    });

    await expect(storage.storeIncoming([incoming(alice.address, 2), incoming(alice.address, 3)])).rejects.toThrow(StorageFullError);
    expect(await storage.db.messages.count()).toBe(1);
    expect((await storage.getContact(alice.address))?.unreadCount).toBe(1);
  });

  it('keeps display order when a stamp goes back in time', async () => {
    const storage = freshStorage();
    const alice = contactFor('Alice');
    await storage.putContact(alice);
    // A restarted messenger or a clock set back stamps lower than what is already stored.
    await storage.storeIncoming([{ ...incoming(alice.address, 1), storedAt: 500 }, { ...incoming(alice.address, 2), storedAt: 501 }]);

    await storage.storeIncoming([{ ...incoming(alice.address, 3), storedAt: 500 }]);
    const outgoing = await storage.queueOutgoing({
      id: 'outgoing-0001',
      conversation: alice.address,
      sender: 'mt1self',
      instance: 'instance-bbbb',
      text: 'reply',
      sentAt: 400,
    });

    const stored = await storage.db.messages.where('[conversation+storedAt]').between([alice.address, 0], [alice.address, Infinity]).toArray();
    expect(stored.map((message) => message.storedAt)).toEqual([500, 501, 502, 503]);
    expect(stored.map((message) => message.id)).toEqual([incoming(alice.address, 1).id, incoming(alice.address, 2).id, incoming(alice.address, 3).id, outgoing.id]);
    expect(outgoing.storedAt).toBe(503);
    expect(outgoing.sentAt).toBe(400);
  });

  it('counts the waiting messages of one conversation', async () => {
    const storage = freshStorage();
    const alice = contactFor('Alice');
    const bob = contactFor('Bob');
    const draft = { sender: 'mt1self', instance: 'instance-bbbb', text: 'hi', sentAt: 1 };
    await storage.queueOutgoing({ ...draft, id: 'outgoing-0001', conversation: alice.address });
    await storage.queueOutgoing({ ...draft, id: 'outgoing-0002', conversation: alice.address });
    await storage.queueOutgoing({ ...draft, id: 'outgoing-0003', conversation: bob.address });

    await storage.markDelivered(alice.address, ['outgoing-0001']);

    expect(await countWaiting(storage.db, alice.address)).toBe(1);
    expect(await countWaiting(storage.db, bob.address)).toBe(1);
    expect(await countWaiting(storage.db, contactFor('Carol').address)).toBe(0);
  });

  it('writes a batch of sends in order, with one counter per conversation', async () => {
    const storage = freshStorage();
    const alice = contactFor('Alice');
    const bob = contactFor('Bob');
    await storage.putContact(alice);
    const draft = { sender: 'mt1self', instance: 'instance-bbbb', text: 'hi' };
    await storage.queueOutgoing({ ...draft, id: 'outgoing-0001', conversation: alice.address, sentAt: 10 });

    const { messages: batch } = await storage.queueOutgoingBatch([
      { ...draft, id: 'outgoing-0002', conversation: alice.address, sentAt: 5 },
      { ...draft, id: 'outgoing-0003', conversation: bob.address, sentAt: 6 },
      { ...draft, id: 'outgoing-0004', conversation: alice.address, sentAt: 7 },
    ]);

    expect(batch.map((message) => [message.id, message.seq])).toEqual([['outgoing-0002', 2], ['outgoing-0003', 1], ['outgoing-0004', 3]]);
    expect(batch.map((message) => message.storedAt)).toEqual([11, 6, 12]);
    expect((await storage.listOutbox(alice.address)).map((message) => message.id)).toEqual(['outgoing-0001', 'outgoing-0002', 'outgoing-0004']);
    expect((await storage.getContact(alice.address))?.lastActivityAt).toBe(7);
  });

  it('reports the paused conversations of a batch', async () => {
    const storage = freshStorage();
    const alice = contactFor('Alice');
    const bob = { ...contactFor('Bob'), isVerificationRequired: true };
    await storage.putContact(alice);
    await storage.putContact(bob);
    const draft = { sender: 'mt1self', instance: 'instance-bbbb', text: 'hi', sentAt: 1 };

    const batch = await storage.queueOutgoingBatch([
      { ...draft, id: 'outgoing-0001', conversation: alice.address },
      { ...draft, id: 'outgoing-0002', conversation: bob.address },
    ]);

    expect([...batch.pausedConversations]).toEqual([bob.address]);
    expect(batch.messages.map((message) => message.status)).toEqual(['queued', 'queued']);
    expect((await storage.getContact(bob.address))?.isVerificationRequired).toBe(true);
  });

  it('stores no part of a batch that fails', async () => {
    const storage = freshStorage();
    const alice = contactFor('Alice');
    const draft = { sender: 'mt1self', instance: 'instance-bbbb', text: 'hi', sentAt: 1, conversation: alice.address };
    await storage.queueOutgoing({ ...draft, id: 'outgoing-0001' });

    await expect(storage.queueOutgoingBatch([{ ...draft, id: 'outgoing-0002' }, { ...draft, id: 'outgoing-0001' }])).rejects.toThrow();

    expect(await storage.db.messages.count()).toBe(1);
    expect(await storage.db.outbox.count()).toBe(1);
    expect((await storage.queueOutgoing({ ...draft, id: 'outgoing-0003' })).seq).toBe(2);
  });

  it('keeps read when a late receipt for a resend arrives', async () => {
    const storage = freshStorage();
    const alice = contactFor('Alice');
    const message = await storage.queueOutgoing({ id: 'outgoing-0001', conversation: alice.address, sender: 'me', instance: 'instance-me', text: 'x', sentAt: 1 });

    await storage.markRead(alice.address, [message.id]);
    await storage.markDelivered(alice.address, [message.id]);

    expect((await storage.db.messages.get(message.id))?.status).toBe('read');
    expect(await storage.db.outbox.count()).toBe(0);
  });

  it('ignores read receipts for another conversation', async () => {
    const storage = freshStorage();
    const alice = contactFor('Alice');
    const message = await storage.queueOutgoing({ id: 'outgoing-0001', conversation: alice.address, sender: 'me', instance: 'instance-me', text: 'x', sentAt: 1 });

    await storage.markRead(contactFor('Mallory').address, [message.id]);

    expect((await storage.db.messages.get(message.id))?.status).toBe('queued');
  });

  it('marks only unread incoming messages read and queues their receipts', async () => {
    const storage = freshStorage();
    const alice = contactFor('Alice');
    await storage.putContact(alice);
    await storage.storeIncoming([incoming(alice.address, 1), incoming(alice.address, 2)]);

    const first = await storage.markIncomingRead(alice.address, 100, true);
    await storage.storeIncoming([incoming(alice.address, 3)]);
    const second = await storage.markIncomingRead(alice.address, 200, true);

    expect(first).toEqual([incoming(alice.address, 1).id, incoming(alice.address, 2).id]);
    expect(second).toEqual([incoming(alice.address, 3).id]);
    expect((await storage.db.messages.get(incoming(alice.address, 1).id))?.readAt).toBe(100);
    expect((await storage.getContact(alice.address))?.pendingReadReceipts).toEqual([...first, ...second]);
  });

  it('stores messages read when their chat is on screen', async () => {
    const storage = freshStorage();
    const alice = contactFor('Alice');
    await storage.putContact(alice);
    await storage.storeIncoming([incoming(alice.address, 1)]);

    await storage.storeIncoming([incoming(alice.address, 2), incoming(alice.address, 3)], undefined, { readAt: 100, shouldQueueReceipts: true });
    await storage.storeIncoming([incoming(alice.address, 4)], undefined, { readAt: 200, shouldQueueReceipts: false });

    const readAt = await Promise.all([1, 2, 3, 4].map(async (seq) => (await storage.db.messages.get(incoming(alice.address, seq).id))?.readAt));
    expect(readAt).toEqual([undefined, 100, 100, 200]);
    const contact = await storage.getContact(alice.address);
    expect(contact?.unreadCount).toBe(1);
    expect(contact?.pendingReadReceipts).toEqual([incoming(alice.address, 2).id, incoming(alice.address, 3).id]);
  });

  it('marking read clears the unread count', async () => {
    const storage = freshStorage();
    const alice = contactFor('Alice');
    await storage.putContact(alice);
    await storage.storeIncoming([incoming(alice.address, 1), incoming(alice.address, 2)]);
    expect((await storage.getContact(alice.address))?.unreadCount).toBe(2);

    await storage.markIncomingRead(alice.address, 100, false);

    const contact = await storage.getContact(alice.address);
    expect(contact?.unreadCount).toBe(0);
    expect(contact?.pendingReadReceipts).toBeUndefined();
  });

  it('keeps unconfirmed read receipts when others are removed', async () => {
    const storage = freshStorage();
    const alice = contactFor('Alice');
    await storage.putContact(alice);
    await storage.storeIncoming([incoming(alice.address, 1), incoming(alice.address, 2)]);
    const [first, second] = await storage.markIncomingRead(alice.address, 100, true);

    await storage.removeReadReceipts(alice.address, [first!, 'unknown-id-0001']);
    expect((await storage.getContact(alice.address))?.pendingReadReceipts).toEqual([second]);

    await storage.removeReadReceipts(alice.address, [second!]);
    expect((await storage.getContact(alice.address))?.pendingReadReceipts).toBeUndefined();
  });

  it('stores a setting across reopening', async () => {
    const storage = freshStorage();
    expect(await storage.getSetting('readReceipts')).toBeUndefined();

    await storage.putSetting('readReceipts', false);
    storage.db.close();
    const reopened = new DexieStorage(trackDatabase(openDatabase(storage.db.name)));

    expect(await reopened.getSetting('readReceipts')).toBe(false);
  });

  it('places a late message before the later ones of its sender', async () => {
    const storage = freshStorage();
    const alice = contactFor('Alice');
    await storage.putContact(alice);
    await storage.storeIncoming([incoming(alice.address, 1), incoming(alice.address, 3)]);
    const reply = await storage.queueOutgoing({ id: 'outgoing-0001', conversation: alice.address, sender: 'me', instance: 'instance-me', text: 'x', sentAt: 1 });
    await storage.storeIncoming([incoming(alice.address, 4)]);

    await storage.storeIncoming([incoming(alice.address, 2)]);

    const shown = await storage.db.messages.where('[conversation+storedAt]').between([alice.address, -Infinity], [alice.address, Infinity]).toArray();
    expect(shown.map((message) => message.id)).toEqual([
      incoming(alice.address, 1).id,
      incoming(alice.address, 2).id,
      incoming(alice.address, 3).id,
      reply.id,
      incoming(alice.address, 4).id,
    ]);
  });

  it('orders a batch that arrived out of order', async () => {
    const storage = freshStorage();
    const alice = contactFor('Alice');
    await storage.putContact(alice);

    await storage.storeIncoming([incoming(alice.address, 3), incoming(alice.address, 1), incoming(alice.address, 2)]);

    const shown = await storage.db.messages.where('[conversation+storedAt]').between([alice.address, -Infinity], [alice.address, Infinity]).toArray();
    expect(shown.map((message) => message.seq)).toEqual([1, 2, 3]);
  });

  it('reports sync marks with the seqs held beyond a gap', async () => {
    const storage = freshStorage();
    const alice = contactFor('Alice');
    await storage.putContact(alice);
    await storage.storeIncoming([1, 2, 4, 6].map((seq) => incoming(alice.address, seq)));
    await storage.storeIncoming([{ ...incoming(alice.address, 2, 'other-instance-2'), instance: 'instance-other' }]);

    const marks = await storage.receivedMarks(alice.address, alice.address);

    expect(marks).toEqual([
      { instance: incoming(alice.address, 1).instance, seq: 2, above: [4, 6] },
      { instance: 'instance-other', seq: 0, above: [2] },
    ].sort((a, b) => (a.instance < b.instance ? -1 : 1)));
    const page = await storage.listFromInstance(alice.address, alice.address, incoming(alice.address, 1).instance, 1, 2);
    expect(page.map((message) => message.seq)).toEqual([2, 4]);
  });

  it('keeps a message deleted for me out of marks and storage', async () => {
    const storage = freshStorage();
    const alice = contactFor('Alice');
    await storage.putContact(alice);
    await storage.storeIncoming([1, 2, 3].map((seq) => incoming(alice.address, seq)));

    await storage.deleteMessage(incoming(alice.address, 2).id);
    const marks = await storage.receivedMarks(alice.address, alice.address);
    const results = await storage.storeIncoming([incoming(alice.address, 2)]);

    expect(marks).toEqual([{ instance: 'instance-aaaa', seq: 3, above: [] }]);
    expect(results).toEqual(['duplicate']);
    expect(await storage.getMessage(incoming(alice.address, 2).id)).toBeUndefined();
  });

  it('records seqs received without a row', async () => {
    const storage = freshStorage();
    const alice = contactFor('Alice');
    await storage.putContact(alice);
    await storage.storeIncoming([incoming(alice.address, 1), incoming(alice.address, 3)]);

    await storage.recordReceived(alice.address, alice.address, [{ instance: 'instance-aaaa', seq: 2 }]);

    expect(await storage.receivedMarks(alice.address, alice.address)).toEqual([{ instance: 'instance-aaaa', seq: 3, above: [] }]);
  });

  it('lists each install of a sender once', async () => {
    const storage = freshStorage();
    const alice = contactFor('Alice');
    await storage.putContact(alice);
    await storage.storeIncoming([1, 2, 3].map((seq) => incoming(alice.address, seq)));
    await storage.storeIncoming([{ ...incoming(alice.address, 1, 'other-instance-1'), instance: 'instance-other' }]);

    expect(await storage.listSenderInstances(alice.address, alice.address)).toEqual(['instance-aaaa', 'instance-other']);
    expect(await storage.listSenderInstances(alice.address, 'mt1nobody')).toEqual([]);
  });
});
