import 'fake-indexeddb/auto';
import nacl from 'tweetnacl';
import { afterEach, describe, expect, it } from 'vitest';
import { createIdentity } from '../../src/core/identity.ts';
import type { MessageRecord } from '../../src/core/storage-port.ts';
import { contactFor, incomingMessage, deleteTestDatabases, freshStorage } from './fixtures.ts';

function incoming(from: string, seq: number): MessageRecord {
  return incomingMessage(from, seq, { instance: 'instance-bbbb' });
}

afterEach(deleteTestDatabases);

describe('merging a conversation', () => {
  it('moves messages, outbox and sequence counter in one step', async () => {
    const storage = freshStorage();
    const old = contactFor('Bob', { unreadCount: 2, verifiedAt: 3 });
    const next = contactFor('Bob', { state: 'request', unreadCount: 1, lastActivityAt: 50 });
    await storage.putContact(old);
    await storage.putContact(next);
    await storage.storeIncoming([incoming(old.address, 1)]);
    const draft = { conversation: old.address, sender: 'mt1alice', instance: 'instance-aaaa', text: 'hi', sentAt: 20 };
    const delivered = await storage.queueOutgoing({ ...draft, id: 'outgoing-0001' });
    await storage.markDelivered(old.address, [delivered.id]);
    const waiting = await storage.queueOutgoing({ ...draft, id: 'outgoing-0002' });
    await storage.markMailboxed([waiting.id], 30);

    await storage.mergeConversation(old.address, next.address, {
      from: { state: 'blocked', movedTo: next.address },
      into: { state: 'contact', verifiedAt: undefined },
    });

    const moved = await storage.db.messages.toArray();
    expect(moved.map((message) => message.conversation)).toEqual([next.address, next.address, next.address]);
    expect(moved.find((message) => message.direction === 'in')?.sender).toBe(next.address);
    const outbox = await storage.listOutbox(next.address);
    expect(outbox).toMatchObject([{ id: waiting.id, status: 'queued' }]);
    expect(outbox[0]?.mailboxedAt, 'the mailbox that holds it serves the old address').toBeUndefined();
    expect(await storage.listOutbox(old.address)).toEqual([]);
    expect(await storage.getContact(old.address)).toMatchObject({ state: 'blocked', movedTo: next.address, unreadCount: 0 });
    expect(await storage.getContact(next.address)).toMatchObject({ state: 'contact', unreadCount: 4, lastActivityAt: 50 });
    const following = await storage.queueOutgoing({ ...draft, conversation: next.address, id: 'outgoing-0003' });
    expect(following.seq).toBe(3);
  });

  it('moves contact list memberships to the new address', async () => {
    const storage = freshStorage();
    const old = contactFor('Bob');
    const next = contactFor('Bob', { state: 'request' });
    const carol = contactFor('Carol');
    await storage.putContact(old);
    await storage.putContact(next);
    await storage.db.listMembers.bulkAdd([
      { list: 'list-crew', address: old.address, addedAt: 1 },
      { list: 'list-band', address: old.address, addedAt: 2 },
      { list: 'list-crew', address: carol.address, addedAt: 3 },
    ]);

    await storage.mergeConversation(old.address, next.address, { from: { state: 'blocked', movedTo: next.address }, into: { state: 'contact' } });

    const members = await storage.db.listMembers.orderBy('[list+address]').toArray();
    expect(members.filter((row) => row.address === old.address)).toEqual([]);
    expect(members.filter((row) => row.address === next.address).map((row) => row.list).sort()).toEqual(['list-band', 'list-crew']);
    expect(members.find((row) => row.address === carol.address)?.list).toBe('list-crew');
    expect(members).toHaveLength(3);
  });

  it('moves pending read receipts and read times', async () => {
    const storage = freshStorage();
    const old = contactFor('Bob');
    const next = contactFor('Bob', { state: 'request' });
    await storage.putContact(old);
    await storage.putContact(next);
    await storage.storeIncoming([incoming(old.address, 1)]);
    await storage.storeIncoming([{ ...incoming(next.address, 2), instance: 'instance-cccc' }]);
    const readAtOld = await storage.markIncomingRead(old.address, 40, true);
    const readAtNext = await storage.markIncomingRead(next.address, 41, true);

    await storage.mergeConversation(old.address, next.address, { from: { state: 'blocked' }, into: { state: 'contact' } });

    expect((await storage.getContact(old.address))?.pendingReadReceipts).toBeUndefined();
    expect((await storage.getContact(next.address))?.pendingReadReceipts).toEqual([...readAtNext, ...readAtOld]);
    const moved = await storage.db.messages.get(readAtOld[0]!);
    expect(moved?.conversation).toBe(next.address);
    expect(moved?.readAt).toBe(40);
  });

  it('changes nothing when a moved message collides', async () => {
    const storage = freshStorage();
    const old = contactFor('Bob');
    const next = contactFor('Bob', { state: 'request' });
    await storage.putContact(old);
    await storage.putContact(next);
    await storage.storeIncoming([incoming(old.address, 1)]);
    await storage.storeIncoming([{ ...incoming(next.address, 1), id: 'same-seq-at-new-key' }]);

    await expect(
      storage.mergeConversation(old.address, next.address, { from: { state: 'blocked' }, into: { state: 'contact' } }),
    ).rejects.toThrow();

    expect((await storage.db.messages.toArray()).map((message) => message.conversation).sort()).toEqual([next.address, old.address].sort());
    expect((await storage.getContact(old.address))?.state).toBe('contact');
  });
});

describe('rotating the identity', () => {
  it('stores the new identity, keeps the old one and queues the drafts', async () => {
    const storage = freshStorage();
    const previous = createIdentity('Bob', nacl.randomBytes, 1);
    const next = createIdentity('Bob', nacl.randomBytes, 2);
    const alice = contactFor('Alice', { verifiedAt: 9 });
    await storage.saveIdentity(previous);
    await storage.putContact(alice);

    const queued = await storage.rotateIdentity(next, { identity: previous, retiredAt: 2, keepUntil: 3 }, [
      { id: 'rotation-0001', conversation: alice.address, sender: next.address, instance: next.instanceId, text: '', sentAt: 2 },
    ]);

    expect((await storage.loadIdentity())?.address).toBe(next.address);
    expect((await storage.db.retiredIdentities.get(previous.address))?.keepUntil).toBe(3);
    expect(queued.map((message) => message.status)).toEqual(['queued']);
    expect(await storage.listOutboxConversations()).toEqual([alice.address]);
    expect((await storage.getContact(alice.address))?.verifiedAt).toBeUndefined();
  });
});
