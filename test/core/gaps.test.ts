import { describe, expect, it } from 'vitest';
import { findGaps } from '../../src/core/gaps.ts';
import type { MessageRecord } from '../../src/core/storage-port.ts';
import { MemoryStorage } from './memory-storage.ts';

function message(id: string, seq: number, overrides: Partial<MessageRecord> = {}): MessageRecord {
  return {
    id,
    conversation: 'mt1alice',
    direction: 'in',
    sender: 'mt1alice',
    instance: 'instance-a',
    seq,
    text: id,
    sentAt: seq,
    storedAt: seq,
    status: 'received',
    ...overrides,
  };
}

/** Stores `messages` in a fresh memory storage and returns the gaps the chat would show. */
async function gapsAfterStoring(messages: MessageRecord[]): Promise<[string, number][]> {
  const storage = new MemoryStorage();
  await storage.storeIncoming(messages);

  return [...findGaps(storage.conversation('mt1alice'), storage.listReceived('mt1alice'))];
}

describe('findGaps', () => {
  it('finds nothing in an unbroken run', async () => {
    expect(await gapsAfterStoring([message('m1', 1), message('m2', 2), message('m3', 3)])).toEqual([]);
  });

  it('counts the messages missing before a later one', async () => {
    expect(await gapsAfterStoring([message('m1', 1), message('m4', 4), message('m5', 5)])).toEqual([['m4', 2]]);
  });

  it('marks no gap before an install\'s first message', async () => {
    expect(await gapsAfterStoring([message('m3', 3)])).toEqual([]);
  });

  it('keeps sender installs apart', async () => {
    expect(await gapsAfterStoring([message('a1', 1), message('b2', 2, { instance: 'instance-b' }), message('a3', 3)])).toEqual([['a3', 1]]);
  });

  it('ignores outgoing messages', async () => {
    const storage = new MemoryStorage();
    storage.messages.set('o5', message('o5', 5, { direction: 'out', status: 'delivered' }));

    expect(findGaps(storage.conversation('mt1alice'), [{ conversation: 'mt1alice', sender: 'mt1alice', instance: 'instance-a', ranges: [[1, 2]] }]).size).toBe(0);
  });

  it('marks nothing for a message without a received record', () => {
    expect(findGaps([message('m1', 1), message('m4', 4)], []).size).toBe(0);
  });

  it('shows later messages at once and fills the gap in place', async () => {
    const storage = new MemoryStorage();
    await storage.storeIncoming([message('m1', 1, { storedAt: 10 }), message('m3', 3, { storedAt: 11 })]);
    const before = storage.conversation('mt1alice');

    expect(before.map((stored) => stored.id)).toEqual(['m1', 'm3']);
    expect([...findGaps(before, storage.listReceived('mt1alice'))]).toEqual([['m3', 1]]);

    await storage.storeIncoming([message('m2', 2, { storedAt: 12 })]);
    const after = storage.conversation('mt1alice');

    expect(after.map((stored) => stored.id)).toEqual(['m1', 'm2', 'm3']);
    expect(findGaps(after, storage.listReceived('mt1alice')).size).toBe(0);
  });

  it('marks no gap where a seq was received without a row', async () => {
    const storage = new MemoryStorage();
    await storage.storeIncoming([message('m1', 1)]);
    await storage.recordReceived('mt1alice', 'mt1alice', [{ instance: 'instance-a', seq: 2 }]);
    await storage.storeIncoming([message('m3', 3)]);

    expect(findGaps(storage.conversation('mt1alice'), storage.listReceived('mt1alice')).size).toBe(0);
  });

  it('marks no gap where a message was deleted for me', async () => {
    const storage = new MemoryStorage();
    await storage.storeIncoming([message('m1', 1), message('m2', 2), message('m3', 3)]);

    await storage.deleteMessage('m2');

    expect(storage.conversation('mt1alice').map((stored) => stored.id)).toEqual(['m1', 'm3']);
    expect(findGaps(storage.conversation('mt1alice'), storage.listReceived('mt1alice')).size).toBe(0);
  });

  it('stores a message deleted for me no second time', async () => {
    const storage = new MemoryStorage();
    await storage.storeIncoming([message('m1', 1), message('m2', 2)]);
    await storage.deleteMessage('m2');

    const results = await storage.storeIncoming([message('m2', 2)]);

    expect(results).toEqual(['duplicate']);
    expect(storage.messages.has('m2')).toBe(false);
  });
});
