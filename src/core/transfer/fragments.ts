/**
 * Splitting of large plaintexts across data frames. Every data frame the link sends stays at or
 * under MAX_SENT_FRAME_BYTES, a size every WebRTC stack carries as one message. A plaintext
 * that would not fit is cut into fragments, each sealed in its own frame:
 *
 *   0x01 | stream (u32) | total length (u32) | offset (u32) | bytes
 *
 * all integers big-endian. A whole JSON payload starts with `{` (0x7b), so the first byte tells
 * the two apart and a peer that never fragments keeps the version 1 frame layout.
 */

import { FrameError } from '../errors.ts';
import { PayloadTooLargeError } from './transfer-errors.ts';

/** Maximum size of a data frame this side sends; frames up to MAX_FRAME_BYTES are still accepted. */
export const MAX_SENT_FRAME_BYTES = 16 * 1024;

/** Version and kind bytes, the 8-byte counter and the 16-byte Poly1305 tag of a data frame. */
export const DATA_FRAME_OVERHEAD_BYTES = 2 + 8 + 16;

/** Largest plaintext that fits in one sent data frame. */
export const MAX_FRAME_PLAINTEXT_BYTES = MAX_SENT_FRAME_BYTES - DATA_FRAME_OVERHEAD_BYTES;

export const FRAGMENT_MARKER = 0x01;
export const FRAGMENT_HEADER_BYTES = 13;

/** Largest piece of a plaintext carried by one fragment. */
export const MAX_FRAGMENT_PIECE_BYTES = MAX_FRAME_PLAINTEXT_BYTES - FRAGMENT_HEADER_BYTES;

/**
 * Maximum size of one reassembled plaintext. A receiver allocates it when the first fragment
 * arrives, so it bounds the memory one stream can take.
 */
export const MAX_PAYLOAD_BYTES = 1024 * 1024;

export interface Fragment {
  stream: number;
  totalBytes: number;
  offset: number;
  piece: Uint8Array;
}

/**
 * Cuts a plaintext into frame-sized plaintexts: itself when it fits in one frame, else its
 * fragments on `stream`, in order.
 * @throws PayloadTooLargeError when the plaintext exceeds MAX_PAYLOAD_BYTES, before any copying.
 */
export function splitPlaintext(plaintext: Uint8Array, stream: number): Uint8Array[] {
  if (plaintext.length > MAX_PAYLOAD_BYTES) {
    throw new PayloadTooLargeError(`payload of ${plaintext.length} bytes exceeds the maximum of ${MAX_PAYLOAD_BYTES} bytes`);
  }
  if (plaintext[0] === FRAGMENT_MARKER) throw new RangeError('a plaintext must not start with the fragment marker');
  if (plaintext.length <= MAX_FRAME_PLAINTEXT_BYTES) return [plaintext];

  const pieces: Uint8Array[] = [];
  for (let offset = 0; offset < plaintext.length; offset += MAX_FRAGMENT_PIECE_BYTES) {
    const piece = plaintext.subarray(offset, offset + MAX_FRAGMENT_PIECE_BYTES);
    pieces.push(encodeFragment({ stream, totalBytes: plaintext.length, offset, piece }));
  }

  return pieces;
}

export function encodeFragment(fragment: Fragment): Uint8Array {
  const bytes = new Uint8Array(FRAGMENT_HEADER_BYTES + fragment.piece.length);
  const view = new DataView(bytes.buffer);
  bytes[0] = FRAGMENT_MARKER;
  view.setUint32(1, fragment.stream);
  view.setUint32(5, fragment.totalBytes);
  view.setUint32(9, fragment.offset);
  bytes.set(fragment.piece, FRAGMENT_HEADER_BYTES);

  return bytes;
}

/** Tells whether an opened plaintext is a fragment rather than a whole payload. */
export function isFragment(plaintext: Uint8Array): boolean {
  return plaintext[0] === FRAGMENT_MARKER;
}

/**
 * Reads a fragment's header. The piece is a view into `plaintext`.
 * @throws FrameError when the header is truncated or the piece does not fit its total length.
 */
export function decodeFragment(plaintext: Uint8Array): Fragment {
  if (plaintext.length <= FRAGMENT_HEADER_BYTES) throw new FrameError(`fragment of ${plaintext.length} bytes is truncated`);

  const view = new DataView(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength);
  const fragment = {
    stream: view.getUint32(1),
    totalBytes: view.getUint32(5),
    offset: view.getUint32(9),
    piece: plaintext.subarray(FRAGMENT_HEADER_BYTES),
  };
  if (fragment.offset + fragment.piece.length > fragment.totalBytes) {
    throw new FrameError(`fragment at ${fragment.offset} of ${fragment.piece.length} bytes overruns its total of ${fragment.totalBytes}`);
  }

  return fragment;
}
