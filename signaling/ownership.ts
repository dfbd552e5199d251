/**
 * Address ownership proof. A PeerJS client registers with its address as peer id and
 * `<challenge>.<base64url Ed25519 signature>` as token. The signature must cover
 * `relayProofMessage(challenge)` and verify with the public key encoded in the address, so only
 * the holder of that key can register the address.
 */

import { createPublicKey, verify } from 'node:crypto';
import { signingKeyFromAddress } from '../src/core/address.ts';
import { fromBase64Url } from '../src/core/bytes.ts';
import { parseRelayToken, relayProofMessage } from '../src/core/relay-proof.ts';
import type { ChallengeStore } from './challenge-store.ts';

/** Machine-readable reason why a registration was rejected, used in logs and tests. */
export type ProofRejection =
  | 'invalid-address'
  | 'malformed-token'
  | 'unknown-challenge'
  | 'expired-challenge'
  | 'invalid-signature';

/** Thrown when a registration does not prove ownership of its address. */
export class ProofError extends Error {
  override name = 'ProofError';
  readonly reason: ProofRejection;

  constructor(reason: ProofRejection, message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}

// DER header of an SPKI structure for an Ed25519 key (algorithm OID 1.3.101.112). Appending
// the 32 raw key bytes gives a key that node:crypto can import.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

// Field prime of Curve25519, 2^255 - 19.
const FIELD_PRIME = (1n << 255n) - 19n;

// y coordinates of the Ed25519 points of small order: 0, 1, p - 1, and the pair y8 and p - y8
// of the points of order 8. The tests check that node:crypto accepts forgeries for each.
const ORDER_8_Y = readLittleEndian(Buffer.from('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', 'hex'));
const SMALL_ORDER_Y = new Set([0n, 1n, FIELD_PRIME - 1n, ORDER_8_Y, FIELD_PRIME - ORDER_8_Y]);

/**
 * Extracts the public signing key from a relay address.
 * @throws ProofError with reason 'invalid-address' when the address is malformed or its key is
 *   a weak key (see isWeakSigningKey).
 */
export function readSigningKey(address: string): Uint8Array {
  let signingKey: Uint8Array;
  try {
    signingKey = signingKeyFromAddress(address);
  } catch (error) {
    throw new ProofError('invalid-address', 'peer id is not a valid Meshtext address', { cause: error });
  }

  if (isWeakSigningKey(signingKey)) {
    throw new ProofError('invalid-address', 'peer id is not a valid Meshtext address: its key is of small order or not canonically encoded');
  }

  return signingKey;
}

/**
 * Verifies that `token` proves ownership of `address`. The challenge inside the token is
 * consumed even when the signature turns out to be wrong, so each challenge gets one attempt.
 * @throws ProofError naming the first check that failed.
 */
export function verifyAddressProof(address: string, token: string, challenges: ChallengeStore): void {
  const signingKey = readSigningKey(address);

  const parsed = parseRelayToken(token);
  if (!parsed) {
    throw new ProofError('malformed-token', 'token is malformed: expected <challenge>.<base64url signature>');
  }

  const status = challenges.consume(parsed.challenge);
  if (status === 'unknown') {
    throw new ProofError('unknown-challenge', 'challenge is unknown or already used; fetch a new one from /relay/challenge');
  }
  if (status === 'expired') {
    throw new ProofError('expired-challenge', 'challenge expired; fetch a new one from /relay/challenge');
  }

  if (!isSignatureValid(signingKey, relayProofMessage(parsed.challenge), fromBase64Url(parsed.signature))) {
    throw new ProofError('invalid-signature', 'address proof is invalid: the signature does not match the address');
  }
}

/**
 * Tells whether a key is a point of small order or a non-canonical encoding (y >= p).
 * Verification in node:crypto accepts forged signatures for such keys, for example a zero
 * signature for the identity point (checked on Node 20.20 with OpenSSL 3.0). No honestly
 * generated key is one of them.
 */
function isWeakSigningKey(signingKey: Uint8Array): boolean {
  const withoutSignBit = Uint8Array.from(signingKey);
  withoutSignBit[31] = (withoutSignBit[31] ?? 0) & 0x7f;
  const y = readLittleEndian(withoutSignBit);

  return y >= FIELD_PRIME || SMALL_ORDER_Y.has(y);
}

function readLittleEndian(bytes: Uint8Array): bigint {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i] ?? 0);

  return value;
}

function isSignatureValid(signingKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    const publicKey = createPublicKey({
      key: Buffer.concat([ED25519_SPKI_PREFIX, signingKey]),
      format: 'der',
      type: 'spki',
    });

    return verify(null, message, publicKey, signature);
  } catch {
    // OpenSSL rejects some 32-byte strings as keys. Such an address has no owner who could sign.
    return false;
  }
}
