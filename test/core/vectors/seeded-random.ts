/**
 * A deterministic byte stream for known-answer tests: block i is
 * SHA-512("meshtext test stream v1\0" || seed || i as 8 bytes big-endian), and calls take bytes
 * from the blocks in order. Never use it outside tests: anyone with the seed can recompute every
 * key made from it.
 */

import nacl from 'tweetnacl';
import { concatBytes, utf8 } from '../../../src/core/bytes.ts';
import type { RandomBytes } from '../../../src/core/ports.ts';

const STREAM_LABEL = 'meshtext test stream v1\u0000';

/** A RandomBytes function that also keeps every draw it handed out, in order. */
export interface SeededRandom extends RandomBytes {
  readonly draws: Uint8Array[];
}

/** Creates the stream for `seed`. */
export function seededRandom(seed: string): SeededRandom {
  const prefix = concatBytes(utf8(STREAM_LABEL), utf8(seed));
  let block: Uint8Array = new Uint8Array(0);
  let blockIndex = 0n;
  let offset = 0;
  const draws: Uint8Array[] = [];

  const nextBlock = (): Uint8Array => {
    const counter = new Uint8Array(8);
    new DataView(counter.buffer).setBigUint64(0, blockIndex);
    blockIndex += 1n;

    return nacl.hash(concatBytes(prefix, counter));
  };

  const random = (length: number): Uint8Array => {
    const output = new Uint8Array(length);

    for (let filled = 0; filled < length; ) {
      if (offset === block.length) {
        block = nextBlock();
        offset = 0;
      }
      const take = Math.min(length - filled, block.length - offset);
      output.set(block.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
    }
    draws.push(output.slice());

    return output;
  };

  return Object.assign(random, { draws });
}
