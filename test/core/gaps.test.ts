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

describe('findGaps', () => {
  it('finds nothing in an unbroken run', () => {
    expect(findGaps([message('m1', 1), message('m2', 2), message('m3', 3)]).size).toBe(0);
  });

  it('counts the messages missing before a later one', () => {
    const gaps = findGaps([message('m1', 1), message('m4', 4), message('m5', 5)]);

    expect([...gaps]).toEqual([['m4', 2]]);
  });

  it('marks no gap before an install\'s first message', () => {
    expect(findGaps([message('m3', 3)]).size).toBe(0);
  });

  it('closes the gap when the late message is stored', () => {
    expect(findGaps([message('m1', 1), message('m2', 2, { storedAt: 2.5 }), message('m3', 3)]).size).toBe(0);
  });

  it('keeps sender installs apart', () => {
    const gaps = findGaps([message('a1', 1), message('b2', 2, { instance: 'instance-b' }), message('a3', 3)]);

    expect([...gaps]).toEqual([['a3', 1]]);
  });

  it('ignores outgoing messages', () => {
    expect(findGaps([message('o5', 5, { direction: 'out', status: 'delivered' })]).size).toBe(0);
  });

  it('shows later messages at once and fills the gap in place', async () => {
    const storage = new MemoryStorage();
    await storage.storeIncoming([message('m1', 1, { storedAt: 10 }), message('m3', 3, { storedAt: 11 })]);
    const before = storage.conversation('mt1alice');

    expect(before.map((stored) => stored.id)).toEqual(['m1', 'm3']);
    expect([...findGaps(before)]).toEqual([['m3', 1]]);

    await storage.storeIncoming([message('m2', 2, { storedAt: 12 })]);
    const after = storage.conversation('mt1alice');

    expect(after.map((stored) => stored.id)).toEqual(['m1', 'm2', 'm3']);
    expect(findGaps(after).size).toBe(0);
  });
});
