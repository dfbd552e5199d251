/**
 * Named errors of the core. Each carries the original failure as `cause` where there is one, and
 * none carries message content or keys.
 */

/** A frame or message from a peer is malformed, oversized or of an unknown version. */
export class FrameError extends Error {
  override name = 'FrameError';
}

/** Authenticated decryption failed: the bytes were altered, replayed or sealed for someone else. */
export class DecryptError extends Error {
  override name = 'DecryptError';
}

/** The session handshake failed, for example because the peer proved a different identity. */
export class HandshakeError extends Error {
  override name = 'HandshakeError';
}

/** An invite link is malformed, of an unknown version, or its signature does not match its keys. */
export class InviteError extends Error {
  override name = 'InviteError';
}

/** A signed identity card does not verify against the signing key it names. */
export class CardError extends Error {
  override name = 'CardError';
}
