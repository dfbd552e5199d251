import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { MessageRecord } from '../../src/core/storage-port.ts';
import { STATUS_CHUNK_SIZE } from '../../src/storage/dexie-storage.ts';
import { StorageFullError } from '../../src/storage/storage-errors.ts';
import { listOutboxHeads } from '../../src/storage/outbox-heads-query.ts';
import { findStoredKeys } from '../../src/storage/stored-message-keys.ts';
import { deleteTestDatabases, freshStorage } from './fixtures.ts';

function incoming(from: string, seq: number, instance = 'instance-aaaa', id = `in-${from}-${instance}-${seq}`): MessageRecord {
  return {
    id,
    conversation: from,
    direction: 'in',
    sender: from,
    instance,
    seq,
    text: `message ${seq}`,
    sentAt: 10 + seq,
    storedAt: 100 + seq,
    status: 'received',
  };
}

function seqRange(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}

afterEach(deleteTestDatabases);

describe('findStoredKeys', () => {
  it('finds stored messages in a dense batch', async () => {
    const storage = freshStorage();
    await storage.storeIncoming([incoming('alice', 3), incoming('alice', 5)]);

    const batch = seqRange(1, 8).map((seq) => incoming('alice', seq));
    const stored = await findStoredKeys(storage.db, batch);

    expect([...stored].map((key) => JSON.parse(key) as unknown[]).map((key) => key[3]).sort()).toEqual([3, 5]);
  });

  it('finds stored messages in a sparse batch', async () => {
    const storage = freshStorage();
    await storage.storeIncoming(seqRange(1, 40).map((seq) => incoming('alice', seq)));

    // Seq 2 and 1,000 are far apart, so each is looked up on its own.
    const stored = await findStoredKeys(storage.db, [incoming('alice', 2), incoming('alice', 1_000)]);

    expect(stored.size).toBe(1);
    expect(stored.has(JSON.stringify(['alice', 'alice', 'instance-aaaa', 2]))).toBe(true);
  });

  it('keeps sender installs apart', async () => {
    const storage = freshStorage();
    await storage.storeIncoming([incoming('alice', 1, 'instance-aaaa')]);

    const stored = await findStoredKeys(storage.db, [incoming('alice', 1, 'instance-bbbb'), incoming('alice', 2, 'instance-aaaa')]);

    expect(stored.size).toBe(0);
  });
});

describe('DexieStorage batches', () => {
  it('stores a batch with resent messages once each', async () => {
    const storage = freshStorage();
    await storage.storeIncoming(seqRange(1, 5).map((seq) => incoming('alice', seq)));

    const results = await storage.storeIncoming(seqRange(3, 9).map((seq) => incoming('alice', seq, 'instance-aaaa', `resent-${seq}`)));
    const seqs = (await storage.db.messages.orderBy('[conversation+storedAt]').toArray()).map((message) => message.seq);

    expect(results).toEqual(['duplicate', 'duplicate', 'duplicate', 'stored', 'stored', 'stored', 'stored']);
    expect(seqs).toEqual(seqRange(1, 9));
  });

  it('stores nothing of a batch whose write fails midway', async () => {
    const storage = freshStorage();
    await storage.storeIncoming([incoming('alice', 1)]);
    let created = 0;
    // The fifth row of the batch fails, after four were written in the same transaction.
    storage.db.messages.hook('creating', () => {
      created += 1;
      if (created === 5) throw new DOMException('the quota has been exceeded', 'QuotaExceededError');
    });

    const batch = seqRange(2, 9).map((seq) => incoming('alice', seq));
    await expect(storage.storeIncoming(batch)).rejects.toThrow(StorageFullError);
    expect(await storage.db.messages.count()).toBe(1);

    // The sender resends the batch, since none of it was acknowledged, and it is stored whole.
    created = -Infinity;
    expect(await storage.storeIncoming(batch)).toEqual(batch.map(() => 'stored'));
    expect(await storage.db.messages.count()).toBe(9);
  });

  it('lists each outbox conversation once', async () => {
    const storage = freshStorage();
    for (const [index, conversation] of ['carol', 'bob', 'carol', 'dave', 'bob'].entries()) {
      await storage.queueOutgoing({ id: `out-${index}`, conversation, sender: 'me', instance: 'instance-me', text: `t${index}`, sentAt: index });
    }

    expect(await storage.listOutboxConversations()).toEqual(['bob', 'carol', 'dave']);

    await storage.markDelivered('carol', ['out-0', 'out-2']);
    expect(await storage.listOutboxConversations()).toEqual(['bob', 'dave']);
  });

  it('settles a large receipt in chunks', async () => {
    const storage = freshStorage();
    const total = STATUS_CHUNK_SIZE * 3;
    const drafts = seqRange(1, total).map((seq) => ({ id: `out-${seq}`, conversation: 'bob', sender: 'me', instance: 'instance-me', text: `t${seq}`, sentAt: seq }));
    await storage.queueOutgoingBatch(drafts);

    const settled = storage.markDelivered('bob', drafts.map((draft) => draft.id));
    const waiting = await storage.listOutbox('bob');
    await settled;

    // The read came after the first chunk and before the last one.
    expect(waiting.length).toBeLessThan(total);
    expect(waiting.length).toBeGreaterThan(0);
    expect(waiting[0]?.seq).toBe(total - waiting.length + 1);
    expect(await storage.db.outbox.count()).toBe(0);
    expect(await storage.db.messages.filter((message) => message.status === 'delivered').count()).toBe(total);
  });

  it('marks late unread messages within the lookback read', async () => {
    const storage = freshStorage();
    await storage.storeIncoming(seqRange(1, 600).map((seq) => incoming('alice', seq)));
    await storage.markIncomingRead('alice', 50, false);

    // Seq 700 first, then the late 650, which takes its place before it.
    await storage.storeIncoming([incoming('alice', 700)]);
    await storage.storeIncoming([incoming('alice', 650)]);
    const ids = await storage.markIncomingRead('alice', 60, false);

    expect(ids).toEqual([incoming('alice', 650).id, incoming('alice', 700).id]);
    // The first read covered the newest 512 of 600: seq 89 to 600.
    expect((await storage.db.messages.get(incoming('alice', 89).id))?.readAt).toBe(50);
    expect((await storage.db.messages.get(incoming('alice', 88).id))?.readAt).toBeUndefined();
  });
});

describe('listOutboxHeads', () => {
  it('lists the highest waiting seq of each conversation', async () => {
    const storage = freshStorage();
    for (const [index, conversation] of ['carol', 'bob', 'carol', 'dave', 'bob', 'bob'].entries()) {
      await storage.queueOutgoing({ id: `out-${index}`, conversation, sender: 'me', instance: 'instance-me', text: `t${index}`, sentAt: index });
    }

    expect(await listOutboxHeads(storage.db)).toEqual([
      { conversation: 'dave', seq: 1 },
      { conversation: 'carol', seq: 2 },
      { conversation: 'bob', seq: 3 },
    ]);

    await storage.markDelivered('bob', ['out-5']);
    await storage.markDelivered('dave', ['out-3']);
    expect(await listOutboxHeads(storage.db)).toEqual([
      { conversation: 'carol', seq: 2 },
      { conversation: 'bob', seq: 2 },
    ]);
  });
});
