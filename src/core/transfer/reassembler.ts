/**
 * Reassembly of fragmented plaintexts on one link, with bounded memory. An honest sender has at
 * most two streams open at once (one on each send lane, see send-scheduler.ts), and the channel
 * is ordered, so fragments of a stream arrive in offset order. Anything else is rejected.
 */

import { FrameError } from '../errors.ts';
import { decodeFragment, isFragment, MAX_PAYLOAD_BYTES } from './fragments.ts';

/** Streams a receiver keeps open at once per link. */
export const MAX_OPEN_STREAMS = 2;

interface OpenStream {
  buffer: Uint8Array;
  receivedBytes: number;
}

export class Reassembler {
  #streams = new Map<number, OpenStream>();

  /** Bytes held in unfinished streams; at most MAX_OPEN_STREAMS × MAX_PAYLOAD_BYTES. */
  get bufferedBytes(): number {
    let total = 0;
    for (const stream of this.#streams.values()) total += stream.buffer.length;

    return total;
  }

  /**
   * Takes one opened plaintext and returns the whole payload it completes: the plaintext itself
   * when it is not a fragment, the reassembled bytes after a stream's last fragment, and
   * undefined while a stream is still incomplete. Limits are checked before any allocation.
   * @throws FrameError for an oversize, out-of-order, mismatched or nested fragment, or one
   *   that would open a stream past MAX_OPEN_STREAMS.
   */
  accept(plaintext: Uint8Array): Uint8Array | undefined {
    if (!isFragment(plaintext)) return plaintext;

    const fragment = decodeFragment(plaintext);
    const stream = this.#streams.get(fragment.stream) ?? this.#open(fragment.stream, fragment.totalBytes, fragment.offset);
    if (fragment.totalBytes !== stream.buffer.length) {
      throw new FrameError(`fragment total ${fragment.totalBytes} differs from the stream's ${stream.buffer.length}`);
    }
    if (fragment.offset !== stream.receivedBytes) {
      throw new FrameError(`fragment at offset ${fragment.offset}, expected ${stream.receivedBytes}`);
    }

    stream.buffer.set(fragment.piece, fragment.offset);
    stream.receivedBytes += fragment.piece.length;
    if (stream.receivedBytes < stream.buffer.length) return undefined;

    this.#streams.delete(fragment.stream);
    if (isFragment(stream.buffer)) throw new FrameError('reassembled payload is itself a fragment');

    return stream.buffer;
  }

  /** Drops every unfinished stream, for a closed link. */
  clear(): void {
    this.#streams.clear();
  }

  #open(id: number, totalBytes: number, offset: number): OpenStream {
    if (offset !== 0) throw new FrameError(`first fragment of stream ${id} starts at offset ${offset}`);
    if (totalBytes === 0 || totalBytes > MAX_PAYLOAD_BYTES) {
      throw new FrameError(`fragmented payload of ${totalBytes} bytes is outside 1..${MAX_PAYLOAD_BYTES}`);
    }
    if (this.#streams.size >= MAX_OPEN_STREAMS) {
      throw new FrameError(`more than ${MAX_OPEN_STREAMS} fragmented payloads open at once`);
    }

    const stream = { buffer: new Uint8Array(totalBytes), receivedBytes: 0 };
    this.#streams.set(id, stream);

    return stream;
  }
}
