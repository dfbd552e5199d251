/**
 * Binary layout shared by every frame on a data channel: one version byte, one kind byte, then
 * the kind's body. Sizes are checked here, before any decryption work.
 */

import { FrameError } from '../errors.ts';

export const PROTOCOL_VERSION = 1;

/** Maximum size of one frame on the data channel, checked before decryption. */
export const MAX_FRAME_BYTES = 64 * 1024;

/** Kinds of data channel frames. Kind 5 is taken by sealed envelopes (`envelope.ts`). */
export const FrameKind = {
  Hello: 1,
  HelloReply: 2,
  Finish: 3,
  Data: 4,
  Reject: 6,
} as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

/** Prefixes a body with the version and kind bytes. */
export function encodeFrame(kind: FrameKind, body: Uint8Array): Uint8Array {
  const frame = new Uint8Array(2 + body.length);
  frame[0] = PROTOCOL_VERSION;
  frame[1] = kind;
  frame.set(body, 2);

  return frame;
}

/**
 * Splits a frame into kind and body after checking size and version.
 * @throws FrameError on an oversize, truncated, unknown-version or unknown-kind frame.
 */
export function decodeFrame(frame: Uint8Array): { kind: FrameKind; body: Uint8Array } {
  if (frame.length > MAX_FRAME_BYTES) {
    throw new FrameError(`frame of ${frame.length} bytes exceeds the maximum of ${MAX_FRAME_BYTES}`);
  }
  if (frame.length < 2) throw new FrameError(`frame of ${frame.length} bytes is truncated`);
  if (frame[0] !== PROTOCOL_VERSION) {
    throw new FrameError(`unsupported protocol version ${frame[0]}, expected ${PROTOCOL_VERSION}`);
  }

  const kind = frame[1] as FrameKind;
  if (!Object.values(FrameKind).includes(kind)) throw new FrameError(`unknown frame kind ${kind}`);

  return { kind, body: frame.subarray(2) };
}
