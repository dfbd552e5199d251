/**
 * Relay addresses. An address is `mt1` followed by the lowercase base32 of the user's whole
 * 32-byte Ed25519 public signing key, so anyone holding the address (the relay included) can
 * check a signature against it without looking anything up. Only letters and digits are used,
 * which PeerJS accepts as a peer id.
 */

import { fromBase32, toBase32 } from './bytes.ts';

export const ADDRESS_PREFIX = 'mt1';
export const SIGNING_KEY_BYTES = 32;
const ADDRESS_LENGTH = ADDRESS_PREFIX.length + 52;

/** Thrown when a string is not a well-formed relay address. */
export class AddressError extends Error {
  override name = 'AddressError';
}

/** Derives the relay address of a public signing key. */
export function addressFromSigningKey(signingPublicKey: Uint8Array): string {
  if (signingPublicKey.length !== SIGNING_KEY_BYTES) {
    throw new RangeError(`expected a ${SIGNING_KEY_BYTES}-byte signing key, got ${signingPublicKey.length} bytes`);
  }

  return ADDRESS_PREFIX + toBase32(signingPublicKey);
}

/**
 * Extracts the public signing key from a relay address.
 * @throws AddressError when the prefix, length or encoding is wrong, or the key is weak.
 */
export function signingKeyFromAddress(address: string): Uint8Array {
  if (!address.startsWith(ADDRESS_PREFIX) || address.length !== ADDRESS_LENGTH) {
    throw new AddressError(`invalid relay address: expected "${ADDRESS_PREFIX}" and 52 base32 characters`);
  }

  let signingKey: Uint8Array;
  try {
    signingKey = fromBase32(address.slice(ADDRESS_PREFIX.length));
  } catch (error) {
    throw new AddressError('invalid relay address: bad base32', { cause: error });
  }
  if (isWeakSigningKey(signingKey)) throw new AddressError('invalid relay address: its key is of small order');

  return signingKey;
}

const FIELD_PRIME = (1n << 255n) - 19n;
const ORDER_8_Y = 0x7a03ac9277fdc74ec6cc392cfa53202a0f67100d760b3cba4fd84d3d706a17c7n;
/** y coordinates of the Ed25519 points of small order: 0, 1, p - 1, and the two of order 8. */
const SMALL_ORDER_Y = new Set([0n, 1n, FIELD_PRIME - 1n, ORDER_8_Y, FIELD_PRIME - ORDER_8_Y]);

/**
 * Tells whether a signing key is a point of small order or a non-canonical encoding (y >= p).
 * tweetnacl 1.0.3 and Node 20's Ed25519 both accept forged signatures for such keys (for the
 * identity point, any signature whose R is the identity), so an address made from one proves
 * nothing. No honestly generated key is one of them.
 */
export function isWeakSigningKey(signingPublicKey: Uint8Array): boolean {
  let y = 0n;
  for (let i = signingPublicKey.length - 1; i >= 0; i--) {
    const byte = i === 31 ? (signingPublicKey[i] ?? 0) & 0x7f : (signingPublicKey[i] ?? 0);
    y = (y << 8n) | BigInt(byte);
  }

  return y >= FIELD_PRIME || SMALL_ORDER_Y.has(y);
}

/** Tells whether a string is a well-formed relay address. */
export function isAddress(value: unknown): value is string {
  if (typeof value !== 'string') return false;

  try {
    signingKeyFromAddress(value);
    return true;
  } catch {
    return false;
  }
}
