/**
 * Flow control and interleaving for one link. Plaintexts wait in two lanes and are sealed only
 * when they go out, so the session's frame counter stays in send order whatever the lanes do.
 *
 * - The urgent lane (chat messages, receipts, pings, file requests) always goes first.
 * - The bulk lane (file parts) goes when the urgent lane is empty.
 * - Nothing goes while the channel buffers HIGH_WATER_BYTES or more; sending resumes when the
 *   channel reports that it drained to CHANNEL_LOW_WATER_BYTES.
 *
 * So a chat message waits behind at most HIGH_WATER_BYTES of file data already in the channel,
 * never behind a whole file, and a sender never buffers more than that in the channel.
 */

import type { RawChannel } from '../transport-port.ts';
import { splitPlaintext } from './fragments.ts';

/** Buffered amount at which sending pauses. */
export const HIGH_WATER_BYTES = 256 * 1024;

interface QueuedPlaintext {
  /** Frame-sized plaintexts: the whole payload, or its fragments in order. */
  pieces: Uint8Array[];
  nextPiece: number;
  onSent?: (isSent: boolean) => void;
}

export class SendScheduler {
  #channel: RawChannel;
  #seal: (plaintext: Uint8Array) => Uint8Array;
  #urgent: QueuedPlaintext[] = [];
  #bulk: QueuedPlaintext[] = [];
  #nextStream = 1;
  #isPumping = false;
  #isClosed = false;
  #isPaused = false;
  #pauses = 0;

  constructor(channel: RawChannel, seal: (plaintext: Uint8Array) => Uint8Array) {
    this.#channel = channel;
    this.#seal = seal;
  }

  /** Times sending paused at the high-water mark, for tests and logs. */
  get pauses(): number {
    return this.#pauses;
  }

  /** Plaintexts waiting in either lane. */
  get queuedCount(): number {
    return this.#urgent.length + this.#bulk.length;
  }

  /**
   * Queues a plaintext on the urgent lane and sends what the channel takes now.
   * @throws PayloadTooLargeError when the plaintext exceeds MAX_PAYLOAD_BYTES.
   */
  sendUrgent(plaintext: Uint8Array): void {
    this.#urgent.push({ pieces: splitPlaintext(plaintext, this.#takeStream()), nextPiece: 0 });
    this.pump();
  }

  /**
   * Queues a plaintext on the bulk lane. The promise resolves true once its last frame went to
   * the channel, or false when the link closed first. A caller that awaits it before queueing
   * the next keeps at most one bulk plaintext in memory here.
   * @throws PayloadTooLargeError when the plaintext exceeds MAX_PAYLOAD_BYTES.
   */
  sendBulk(plaintext: Uint8Array): Promise<boolean> {
    const pieces = splitPlaintext(plaintext, this.#takeStream());
    if (this.#isClosed) return Promise.resolve(false);

    return new Promise((resolve) => {
      this.#bulk.push({ pieces, nextPiece: 0, onSent: resolve });
      this.pump();
    });
  }

  /** Sends queued frames until the lanes are empty or the channel reaches the high-water mark. */
  pump(): void {
    if (this.#isPumping) return;

    this.#isPumping = true;
    try {
      this.#sendWhileRoom();
    } finally {
      this.#isPumping = false;
    }
  }

  /** Drops what is queued; bulk senders learn that their plaintexts did not go out. */
  close(): void {
    this.#isClosed = true;
    this.#urgent = [];
    for (const queued of this.#bulk.splice(0)) queued.onSent?.(false);
  }

  #sendWhileRoom(): void {
    while (!this.#isClosed) {
      const lane = this.#urgent.length > 0 ? this.#urgent : this.#bulk;
      const queued = lane[0];
      if (!queued) return;

      if ((this.#channel.bufferedAmount ?? 0) >= HIGH_WATER_BYTES) {
        if (!this.#isPaused) this.#pauses++;
        this.#isPaused = true;
        return;
      }

      this.#isPaused = false;
      const piece = queued.pieces[queued.nextPiece++]!;
      if (queued.nextPiece === queued.pieces.length) lane.shift();
      this.#channel.send(this.#seal(piece));
      if (queued.nextPiece === queued.pieces.length) queued.onSent?.(true);
    }
  }

  #takeStream(): number {
    const stream = this.#nextStream;
    this.#nextStream = (this.#nextStream % 0xffff_ffff) + 1;

    return stream;
  }
}
