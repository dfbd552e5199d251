/**
 * The `skipped` field of a message sealed into an envelope: which seqs right below it the sender
 * names, and how a receiver validates them.
 */

import { describe, expect, it } from 'vitest';
import { utf8 } from '../../src/core/bytes.ts';
import { FrameError } from '../../src/core/errors.ts';
import { decodePayload } from '../../src/core/messages.ts';
import { findSkippedBefore } from '../../src/core/skipped-before.ts';
import { MAX_SKIPPED_SEQS } from '../../src/core/skipped-seqs.ts';
import type { MessageRecord, MessageStatus } from '../../src/core/storage-port.ts';
import { MemoryStorage } from './memory-storage.ts';

const OWN = 'mt1own';
const PEER = 'mt1peer';
const INSTANCE = 'instance-0001';

function own(seq: number, status: MessageStatus = 'delivered', instance = INSTANCE): MessageRecord {
  return { id: `message-${instance}-${seq}`, conversation: PEER, sender: OWN, direction: 'out', instance, seq, text: `text ${seq}`, sentAt: seq, storedAt: seq, status };
}

function storageWith(messages: MessageRecord[]): MemoryStorage {
  const storage = new MemoryStorage();
  for (const message of messages) storage.messages.set(message.id, message);

  return storage;
}

describe('skipped seqs before a message', () => {
  it('name nothing after a message that still goes out', async () => {
    const storage = storageWith([own(1), own(2, 'queued')]);

    expect(await findSkippedBefore(storage, own(3, 'queued'))).toEqual([]);
  });

  it('name seqs with no row and cancelled rows', async () => {
    const storage = storageWith([own(1), own(3, 'cancelled'), own(5, 'cancelled')]);

    expect(await findSkippedBefore(storage, own(7, 'queued'))).toEqual([[2, 6]]);
  });

  it('stop at the highest row that still goes out', async () => {
    const storage = storageWith([own(1, 'cancelled'), own(4, 'sent'), own(5, 'cancelled')]);

    expect(await findSkippedBefore(storage, own(6, 'queued'))).toEqual([[5, 5]]);
  });

  it('look beyond the first few seqs', async () => {
    const storage = storageWith([own(10)]);

    expect(await findSkippedBefore(storage, own(40, 'queued'))).toEqual([[11, 39]]);
  });

  it('claim nothing below the lowest row of the install', async () => {
    // A restored install continues the numbering of the one it was restored from.
    expect(await findSkippedBefore(storageWith([]), own(30, 'queued'))).toEqual([]);
    expect(await findSkippedBefore(storageWith([]), own(1, 'queued'))).toEqual([]);
    expect(await findSkippedBefore(storageWith([own(20, 'cancelled')]), own(30, 'queued'))).toEqual([[20, 29]]);
  });

  it('ignore rows of other installs', async () => {
    const storage = storageWith([own(1), own(2, 'delivered', 'instance-0002')]);

    expect(await findSkippedBefore(storage, own(3, 'queued'))).toEqual([[2, 2]]);
  });

  it('look at most MAX_SKIPPED_SEQS seqs down', async () => {
    const seq = MAX_SKIPPED_SEQS + 100;
    const storage = storageWith([own(1), own(50, 'cancelled')]);

    expect(await findSkippedBefore(storage, own(seq, 'queued'))).toEqual([]);
  });
});

describe('skipped field of a message', () => {
  const message = { t: 'msg', id: 'message-0009', instance: INSTANCE, seq: 9, sentAt: 1, text: 'hello' };

  function decode(skipped: unknown): unknown {
    return decodePayload(utf8(JSON.stringify({ ...message, skipped })));
  }

  it('is kept when valid', () => {
    expect(decode([[2, 3], [5, 8]])).toEqual({ ...message, skipped: [[2, 3], [5, 8]] });
    expect(decodePayload(utf8(JSON.stringify(message)))).not.toHaveProperty('skipped');
  });

  it('is kept on a control message', () => {
    const control = { ...message, text: '', control: { kind: 'opt-in' }, skipped: [[8, 8]] };

    expect(decodePayload(utf8(JSON.stringify(control)))).toMatchObject({ skipped: [[8, 8]] });
  });

  it('rejects seqs at or above the message', () => {
    expect(() => decode([[5, 9]])).toThrow(FrameError);
    expect(() => decode([[10, 12]])).toThrow(FrameError);
  });

  it('rejects ranges that are empty, unsorted or malformed', () => {
    expect(() => decode([])).toThrow(FrameError);
    expect(() => decode([[5, 6], [2, 3]])).toThrow(FrameError);
    expect(() => decode([[3, 2]])).toThrow(FrameError);
    expect(() => decode([[0, 2]])).toThrow(FrameError);
    expect(() => decode([[1]])).toThrow(FrameError);
    expect(() => decode('1-3')).toThrow(FrameError);
  });

  it('rejects more than MAX_SKIPPED_SEQS seqs', () => {
    const big = { ...message, seq: MAX_SKIPPED_SEQS + 10 };

    expect(() => decodePayload(utf8(JSON.stringify({ ...big, skipped: [[1, MAX_SKIPPED_SEQS + 1]] })))).toThrow(FrameError);
    expect(decodePayload(utf8(JSON.stringify({ ...big, skipped: [[1, MAX_SKIPPED_SEQS]] })))).toMatchObject({ skipped: [[1, MAX_SKIPPED_SEQS]] });
  });
});
