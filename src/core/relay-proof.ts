/**
 * Proof of address ownership given to the relay. The relay hands out a single-use challenge;
 * the client signs `RELAY_PROOF_LABEL || challenge` with the key inside its address and passes
 * `<challenge>.<base64url signature>` as its PeerJS token. The label keeps this signature from
 * being valid for any other purpose.
 */

import { utf8, concatBytes } from './bytes.ts';

export const RELAY_PROOF_LABEL = 'meshtext relay proof v1\u0000';

/** Maximum length of a challenge string accepted in a token. */
export const MAX_CHALLENGE_LENGTH = 128;

/** Builds the bytes that the client signs for a challenge. */
export function relayProofMessage(challenge: string): Uint8Array {
  return concatBytes(utf8(RELAY_PROOF_LABEL), utf8(challenge));
}

/** Joins a challenge and its base64url signature into a PeerJS token. */
export function formatRelayToken(challenge: string, signatureBase64Url: string): string {
  return `${challenge}.${signatureBase64Url}`;
}

/** Splits a PeerJS token into challenge and base64url signature, or returns null when malformed. */
export function parseRelayToken(token: string): { challenge: string; signature: string } | null {
  const dot = token.indexOf('.');
  if (dot <= 0 || dot > MAX_CHALLENGE_LENGTH) return null;

  const challenge = token.slice(0, dot);
  const signature = token.slice(dot + 1);
  if (!/^[A-Za-z0-9_-]+$/.test(challenge) || !/^[A-Za-z0-9_-]{86}$/.test(signature)) return null;

  return { challenge, signature };
}
