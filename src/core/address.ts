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
 * @throws AddressError when the prefix, length or encoding is wrong.
 */
export function signingKeyFromAddress(address: string): Uint8Array {
  if (!address.startsWith(ADDRESS_PREFIX) || address.length !== ADDRESS_LENGTH) {
    throw new AddressError(`invalid relay address: expected "${ADDRESS_PREFIX}" and 52 base32 characters`);
  }

  try {
    return fromBase32(address.slice(ADDRESS_PREFIX.length));
  } catch (error) {
    throw new AddressError('invalid relay address: bad base32', { cause: error });
  }
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
