import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FrameError } from '../../../src/core/errors.ts';
import {
  encodeFragment,
  MAX_FRAME_PLAINTEXT_BYTES,
  MAX_PAYLOAD_BYTES,
  MAX_SENT_FRAME_BYTES,
  DATA_FRAME_OVERHEAD_BYTES,
  splitPlaintext,
} from '../../../src/core/transfer/fragments.ts';
import { MAX_OPEN_STREAMS, Reassembler } from '../../../src/core/transfer/reassembler.ts';
import { PayloadTooLargeError } from '../../../src/core/transfer/transfer-errors.ts';

function patterned(length: number, seed = 7): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let index = 0; index < length; index++) bytes[index] = (index * 31 + seed) & 0xff;
  // A binary payload's marker, as a real plaintext would start.
  bytes[0] = 0x02;

  return bytes;
}

/** SHA-256 in hex, to compare a megabyte without vitest's slow deep comparison. */
function hashOf(bytes: Uint8Array | undefined): string {
  return bytes ? createHash('sha256').update(bytes).digest('hex') : 'missing';
}

function reassembleAll(reassembler: Reassembler, pieces: Uint8Array[]): Uint8Array[] {
  return pieces.map((piece) => reassembler.accept(piece)).filter((whole): whole is Uint8Array => whole !== undefined);
}

describe('splitPlaintext', () => {
  it('keeps a plaintext that fits one frame whole', () => {
    const plaintext = patterned(MAX_FRAME_PLAINTEXT_BYTES);
    plaintext[0] = 0x7b;

    expect(splitPlaintext(plaintext, 1)).toEqual([plaintext]);
  });

  it('cuts 20 KB and 1 MB into pieces that fit a 16 KiB frame', () => {
    for (const size of [20_000, 1_000_000]) {
      const pieces = splitPlaintext(patterned(size), 3);

      expect(pieces.length).toBe(Math.ceil(size / (MAX_FRAME_PLAINTEXT_BYTES - 13)));
      for (const piece of pieces) expect(piece.length + DATA_FRAME_OVERHEAD_BYTES).toBeLessThanOrEqual(MAX_SENT_FRAME_BYTES);
    }
  });

  it('rejects a plaintext that starts like a fragment', () => {
    expect(() => splitPlaintext(Uint8Array.of(0x01, 2, 3), 1)).toThrow(RangeError);
  });

  it('rejects a plaintext over the maximum with a named error', () => {
    const tooLarge = new Uint8Array(MAX_PAYLOAD_BYTES + 1);

    expect(() => splitPlaintext(tooLarge, 1)).toThrow(PayloadTooLargeError);
    expect(() => splitPlaintext(tooLarge, 1)).toThrow(`payload of ${MAX_PAYLOAD_BYTES + 1} bytes exceeds the maximum of ${MAX_PAYLOAD_BYTES} bytes`);
  });
});

describe('Reassembler', () => {
  it('returns 20 KB and 1 MB plaintexts byte-identical', () => {
    const reassembler = new Reassembler();

    for (const size of [20_000, 1_000_000, MAX_PAYLOAD_BYTES]) {
      const plaintext = patterned(size, size);
      const wholes = reassembleAll(reassembler, splitPlaintext(plaintext, size));

      expect(wholes).toHaveLength(1);
      expect(wholes[0]?.length).toBe(size);
      expect(hashOf(wholes[0])).toBe(hashOf(plaintext));
      expect(reassembler.bufferedBytes).toBe(0);
    }
  });

  it('passes a plaintext that is not a fragment through unchanged', () => {
    const json = new TextEncoder().encode('{"t":"ping"}');

    expect(new Reassembler().accept(json)).toBe(json);
  });

  it('reassembles two interleaved streams', () => {
    const reassembler = new Reassembler();
    const first = patterned(40_000, 1);
    const second = patterned(50_000, 2);
    const a = splitPlaintext(first, 1);
    const b = splitPlaintext(second, 2);
    const interleaved = a.flatMap((piece, index) => [piece, ...(b[index] ? [b[index]] : [])]).concat(b.slice(a.length));

    const wholes = reassembleAll(reassembler, interleaved);

    expect(wholes).toEqual([first, second]);
  });

  it('rejects a total over the maximum before allocating it', () => {
    const fragment = encodeFragment({ stream: 1, totalBytes: 0xffff_ffff, offset: 0, piece: patterned(100) });
    const reassembler = new Reassembler();

    expect(() => reassembler.accept(fragment)).toThrow(FrameError);
    expect(reassembler.bufferedBytes).toBe(0);
  });

  it('rejects a stream past the open limit', () => {
    const reassembler = new Reassembler();
    for (let stream = 1; stream <= MAX_OPEN_STREAMS; stream++) {
      reassembler.accept(encodeFragment({ stream, totalBytes: 100_000, offset: 0, piece: patterned(1000) }));
    }

    const oneMore = encodeFragment({ stream: 99, totalBytes: 100_000, offset: 0, piece: patterned(1000) });

    expect(() => reassembler.accept(oneMore)).toThrow(`more than ${MAX_OPEN_STREAMS} fragmented payloads open at once`);
    expect(reassembler.bufferedBytes).toBe(MAX_OPEN_STREAMS * 100_000);
  });

  it('rejects a fragment out of order', () => {
    const reassembler = new Reassembler();
    const pieces = splitPlaintext(patterned(50_000), 5);
    reassembler.accept(pieces[0]!);

    expect(() => reassembler.accept(pieces[2]!)).toThrow(/expected 16345/);
  });

  it('rejects a stream that starts past offset 0', () => {
    const pieces = splitPlaintext(patterned(50_000), 5);

    expect(() => new Reassembler().accept(pieces[1]!)).toThrow('first fragment of stream 5 starts at offset 16345');
  });

  it('rejects a fragment whose total changed', () => {
    const reassembler = new Reassembler();
    reassembler.accept(encodeFragment({ stream: 1, totalBytes: 30_000, offset: 0, piece: patterned(10_000) }));

    const changed = encodeFragment({ stream: 1, totalBytes: 40_000, offset: 10_000, piece: patterned(10_000) });

    expect(() => reassembler.accept(changed)).toThrow('fragment total 40000 differs from the stream\'s 30000');
  });

  it('rejects a fragment that overruns its total', () => {
    const overrun = encodeFragment({ stream: 1, totalBytes: 100, offset: 50, piece: patterned(60) });

    expect(() => new Reassembler().accept(overrun)).toThrow(FrameError);
  });

  it('rejects a reassembled payload that is itself a fragment', () => {
    const inner = encodeFragment({ stream: 9, totalBytes: 30_000, offset: 0, piece: patterned(30_000 - 13) });
    const reassembler = new Reassembler();
    const pieces = [
      encodeFragment({ stream: 1, totalBytes: inner.length, offset: 0, piece: inner.subarray(0, 16_000) }),
      encodeFragment({ stream: 1, totalBytes: inner.length, offset: 16_000, piece: inner.subarray(16_000) }),
    ];

    reassembler.accept(pieces[0]!);

    expect(() => reassembler.accept(pieces[1]!)).toThrow('reassembled payload is itself a fragment');
  });

  it('rejects a truncated fragment', () => {
    expect(() => new Reassembler().accept(new Uint8Array([1, 0, 0, 0]))).toThrow('fragment of 4 bytes is truncated');
  });
});
