/**
 * The Reject frame, which a responder sends instead of HelloReply when it cannot open a Hello.
 * That happens when someone else, with another box key, answers at the address the initiator
 * dialled (on a relay that does not check address ownership, say). It also happens when the
 * relay reported another dialling address than the initiator's, which goes into the same key.
 * Layout: version (1) | kind Reject (6) | reason code (1 byte).
 *
 * A Reject carries no proof of anything: anyone on the data channel can send one. The
 * initiator therefore lets it close the link and raise a warning, and nothing more. It never
 * changes stored keys or cards. Outside the wait for HelloReply it is an unexpected frame.
 */

import { FrameError, HandshakeError } from '../errors.ts';
import { encodeFrame, FrameKind } from './frame-codec.ts';

/** Reason codes of a Reject frame. */
export const RejectReason = {
  /** The Hello was not sealed to the responder's box key. */
  NotSealedToThisKey: 1,
} as const;
export type RejectReason = (typeof RejectReason)[keyof typeof RejectReason];

/** Builds a Reject frame with the given reason code. */
export function encodeReject(reason: RejectReason): Uint8Array {
  return encodeFrame(FrameKind.Reject, Uint8Array.of(reason));
}

/**
 * Reads the body of a Reject frame that arrived while waiting for HelloReply.
 * @throws HandshakeError for a well-formed Reject, so the link closes as a failed handshake.
 * @throws FrameError when the body is not exactly one known reason code.
 */
export function raiseReject(body: Uint8Array): never {
  if (body.length !== 1) throw new FrameError(`reject frame body has ${body.length} bytes, expected 1`);

  const reason = body[0];
  if (reason !== RejectReason.NotSealedToThisKey) throw new FrameError(`unknown reject reason ${String(reason)}`);

  throw new HandshakeError('someone answered at this contact\'s address with a different key');
}
