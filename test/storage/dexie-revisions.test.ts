import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { MessageRecord } from '../../src/core/storage-port.ts';
import { searchMessages } from '../../src/ui/data/message-search.ts';
import { readLatestPage } from '../../src/ui/data/message-pages.ts';
import { deleteTestDatabases, freshStorage } from './fixtures.ts';

const peer = 'mt1peer';
const self = 'mt1self';

function incoming(seq: number, changes: Partial<MessageRecord> = {}): MessageRecord {
  return {
    id: `incoming-message-${seq}`,
    conversation: peer,
    direction: 'in',
    sender: peer,
    instance: 'instance-peer',
    seq,
    text: `message ${seq}`,
    sentAt: 10 + seq,
    storedAt: 100 + seq,
    status: 'received',
    ...changes,
  };
}

afterEach(deleteTestDatabases);

describe('DexieStorage revisions', () => {
  it('applies an incoming edit without counting it unread', async () => {
    const storage = freshStorage();
    await storage.db.contacts.add({ address: peer, displayName: 'Peer', state: 'contact', addedAt: 1, lastActivityAt: 1, unreadCount: 0 } as never);
    await storage.storeIncoming([incoming(1)]);

    const results = await storage.storeIncoming([incoming(2, { text: 'message one, fixed', revises: { action: 'edit', target: 'incoming-message-1' } })]);

    expect(results).toEqual(['stored']);
    expect((await storage.getMessage('incoming-message-1'))?.text).toBe('message one, fixed');
    expect((await storage.getMessage('incoming-message-1'))?.editedAt).toBe(12);
    expect((await storage.getContact(peer))?.unreadCount).toBe(1);
    expect((await readLatestPage(storage.db, peer, 10)).map((row) => row.id)).toEqual(['incoming-message-1']);
    expect((await searchMessages(storage.db, 'fixed')).hits.map((hit) => hit.message.id)).toEqual(['incoming-message-1']);
  });

  it('ignores an incoming revision of a message from someone else', async () => {
    const storage = freshStorage();
    const own = await storage.queueOutgoing({ id: 'own-message-01', conversation: peer, sender: self, instance: 'instance-self', text: 'mine', sentAt: 5 });

    await storage.storeIncoming([incoming(1, { text: '', revises: { action: 'delete', target: own.id } })]);

    expect((await storage.getMessage(own.id))?.text).toBe('mine');
    expect((await storage.getMessage(own.id))?.deletedAt).toBeUndefined();
  });

  it('queues an own deletion and applies it in one transaction', async () => {
    const storage = freshStorage();
    const own = await storage.queueOutgoing({ id: 'own-message-01', conversation: peer, sender: self, instance: 'instance-self', text: 'oops', sentAt: 5 });

    const revision = await storage.queueOutgoing({
      id: 'own-revision-01',
      conversation: peer,
      sender: self,
      instance: 'instance-self',
      text: '',
      sentAt: 6,
      revises: { action: 'delete', target: own.id },
    });

    expect(revision.seq).toBe(2);
    expect((await storage.listOutbox(peer)).map((message) => message.id)).toEqual([own.id, revision.id]);
    expect((await storage.getMessage(own.id))?.deletedAt).toBe(6);
    expect((await searchMessages(storage.db, 'oops')).hits).toEqual([]);
  });

  it('applies an own edit queued with its message', async () => {
    const storage = freshStorage();

    await storage.queueOutgoingBatch([
      { id: 'own-message-01', conversation: peer, sender: self, instance: 'instance-self', text: 'tpyo', sentAt: 5 },
      { id: 'own-revision-01', conversation: peer, sender: self, instance: 'instance-self', text: 'typo', sentAt: 6, revises: { action: 'edit', target: 'own-message-01' } },
    ]);

    expect((await storage.getMessage('own-message-01'))?.text).toBe('typo');
    expect(await storage.db.outbox.count()).toBe(2);
  });

  it('applies an incoming edit stored with its message', async () => {
    const storage = freshStorage();
    await storage.db.contacts.add({ address: peer, displayName: 'Peer', state: 'contact', addedAt: 1, lastActivityAt: 1, unreadCount: 0 } as never);

    const results = await storage.storeIncoming([incoming(1), incoming(2, { text: 'message one, fixed', revises: { action: 'edit', target: 'incoming-message-1' } })]);

    expect(results).toEqual(['stored', 'stored']);
    expect((await storage.getMessage('incoming-message-1'))?.text).toBe('message one, fixed');
    expect((await storage.getContact(peer))?.unreadCount).toBe(1);
  });

  it('stores nothing when an own revision is rejected', async () => {
    const storage = freshStorage();
    await storage.storeIncoming([incoming(1)]);

    await expect(
      storage.queueOutgoing({
        id: 'own-revision-01',
        conversation: peer,
        sender: self,
        instance: 'instance-self',
        text: 'hijacked',
        sentAt: 6,
        revises: { action: 'edit', target: 'incoming-message-1' },
      }),
    ).rejects.toThrow(/revision rejected: not-sender/);
    expect(await storage.getMessage('own-revision-01')).toBeUndefined();
    expect(await storage.listOutbox(peer)).toEqual([]);
    expect((await storage.getMessage('incoming-message-1'))?.text).toBe('message 1');
  });

  it('deletes a queued message with its outbox entry', async () => {
    const storage = freshStorage();
    const own = await storage.queueOutgoing({ id: 'own-message-01', conversation: peer, sender: self, instance: 'instance-self', text: 'draft', sentAt: 5 });

    await storage.deleteMessage(own.id);

    expect(await storage.getMessage(own.id)).toBeUndefined();
    expect(await storage.listOutboxConversations()).toEqual([]);
  });
});
