import { describe, expect, it } from 'vitest';
import { MAX_FRAME_PLAINTEXT_BYTES } from '../../../src/core/transfer/fragments.ts';
import { HIGH_WATER_BYTES, SendScheduler } from '../../../src/core/transfer/send-scheduler.ts';
import { PayloadTooLargeError } from '../../../src/core/transfer/transfer-errors.ts';
import type { ChannelHandlers, RawChannel } from '../../../src/core/transport-port.ts';

/** A channel whose buffered amount grows with every frame until the test drains it. */
class BufferingChannel implements RawChannel {
  readonly remoteAddress = 'peer';
  readonly isInitiator = true;
  bufferedAmount = 0;
  sent: Uint8Array[] = [];

  listen(_handlers: ChannelHandlers): void {}

  send(frame: Uint8Array): void {
    this.sent.push(frame);
    this.bufferedAmount += frame.length;
  }

  close(): void {}
}

/** Marks each plaintext with a lane letter and a number in its first bytes, so order is visible. */
function tagged(lane: 'u' | 'b', number: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  bytes[0] = 0x7b;
  bytes[1] = lane.charCodeAt(0);
  bytes[2] = number;

  return bytes;
}

function tagOf(frame: Uint8Array): string {
  return `${String.fromCharCode(frame[1]!)}${frame[2]}`;
}

describe('SendScheduler', () => {
  it('pauses at the high-water mark and resumes when drained', async () => {
    const channel = new BufferingChannel();
    const scheduler = new SendScheduler(channel, (plaintext) => plaintext);
    const bulkCount = 40;
    const results: Promise<boolean>[] = [];

    for (let number = 0; number < bulkCount; number++) results.push(scheduler.sendBulk(tagged('b', number, MAX_FRAME_PLAINTEXT_BYTES)));

    expect(channel.sent.length).toBe(Math.ceil(HIGH_WATER_BYTES / MAX_FRAME_PLAINTEXT_BYTES));
    expect(channel.bufferedAmount).toBeLessThan(HIGH_WATER_BYTES + MAX_FRAME_PLAINTEXT_BYTES);
    expect(scheduler.pauses).toBe(1);

    while (channel.sent.length < bulkCount) {
      channel.bufferedAmount = 0;
      scheduler.pump();
    }

    expect(await Promise.all(results)).toEqual(results.map(() => true));
    expect(channel.sent.map(tagOf)).toEqual(results.map((_, number) => `b${number}`));
  });

  it('sends urgent plaintexts before queued bulk ones', () => {
    const channel = new BufferingChannel();
    const scheduler = new SendScheduler(channel, (plaintext) => plaintext);
    for (let number = 0; number < 40; number++) void scheduler.sendBulk(tagged('b', number, MAX_FRAME_PLAINTEXT_BYTES));
    const sentBeforeChat = channel.sent.length;

    scheduler.sendUrgent(tagged('u', 1, 200));
    scheduler.sendUrgent(tagged('u', 2, 200));
    channel.bufferedAmount = 0;
    scheduler.pump();

    expect(channel.sent.slice(sentBeforeChat, sentBeforeChat + 2).map(tagOf)).toEqual(['u1', 'u2']);
  });

  it('sends an urgent plaintext at once while the channel has room', () => {
    const channel = new BufferingChannel();
    const scheduler = new SendScheduler(channel, (plaintext) => plaintext);

    scheduler.sendUrgent(tagged('u', 1, 100));

    expect(channel.sent.map(tagOf)).toEqual(['u1']);
    expect(scheduler.queuedCount).toBe(0);
  });

  it('interleaves an urgent payload between the fragments of a bulk one', () => {
    const channel = new BufferingChannel();
    const scheduler = new SendScheduler(channel, (plaintext) => plaintext);
    channel.bufferedAmount = HIGH_WATER_BYTES;
    void scheduler.sendBulk(new Uint8Array(200_000));

    channel.bufferedAmount = HIGH_WATER_BYTES - 1;
    scheduler.pump();
    scheduler.sendUrgent(tagged('u', 7, 100));
    channel.bufferedAmount = 0;
    scheduler.pump();

    expect(tagOf(channel.sent[0]!)).not.toBe('u7');
    expect(tagOf(channel.sent[1]!)).toBe('u7');
    expect(channel.sent.length).toBe(1 + Math.ceil(200_000 / (MAX_FRAME_PLAINTEXT_BYTES - 13)));
  });

  it('seals frames in the order they go out', () => {
    const channel = new BufferingChannel();
    let counter = 0;
    const scheduler = new SendScheduler(channel, (plaintext) => Uint8Array.of(counter++, ...plaintext.subarray(0, 3)));
    channel.bufferedAmount = HIGH_WATER_BYTES;
    void scheduler.sendBulk(tagged('b', 1, 100));
    scheduler.sendUrgent(tagged('u', 1, 100));

    channel.bufferedAmount = 0;
    scheduler.pump();

    expect(channel.sent.map((frame) => frame[0])).toEqual([0, 1]);
    expect(channel.sent.map((frame) => String.fromCharCode(frame[2]!))).toEqual(['u', 'b']);
  });

  it('tells bulk senders that nothing went out when closed', async () => {
    const channel = new BufferingChannel();
    const scheduler = new SendScheduler(channel, (plaintext) => plaintext);
    channel.bufferedAmount = HIGH_WATER_BYTES;
    const pending = scheduler.sendBulk(tagged('b', 1, 100));

    scheduler.close();

    expect(await pending).toBe(false);
    expect(await scheduler.sendBulk(tagged('b', 2, 100))).toBe(false);
    expect(channel.sent).toEqual([]);
  });

  it('rejects an oversize plaintext before queueing anything', () => {
    const channel = new BufferingChannel();
    const scheduler = new SendScheduler(channel, (plaintext) => plaintext);

    expect(() => scheduler.sendBulk(new Uint8Array(2 * 1024 * 1024))).toThrow(PayloadTooLargeError);
    expect(() => scheduler.sendUrgent(new Uint8Array(2 * 1024 * 1024))).toThrow(PayloadTooLargeError);
    expect(scheduler.queuedCount).toBe(0);
    expect(channel.sent).toEqual([]);
  });
});
