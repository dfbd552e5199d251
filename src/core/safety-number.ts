/**
 * Safety numbers: 60 digits that two people compare to check that each holds the other's real
 * keys. Both sides compute the same digits, because the two signing keys are hashed in sorted
 * order. Each half is derived from one key alone, so the grouping reads as "your 30, my 30".
 */

import nacl from 'tweetnacl';
import { bytesEqual, concatBytes, utf8 } from './bytes.ts';

const SAFETY_NUMBER_LABEL = 'meshtext safety number v1\u0000';
/** Hash rounds per key; makes searching for a key with a colliding number expensive. */
const HASH_ROUNDS = 1024;
const DIGITS_PER_KEY = 30;

/** Computes the 30 digits for one signing key. */
export function keyFingerprintDigits(signingPublicKey: Uint8Array): string {
  let digest = nacl.hash(concatBytes(utf8(SAFETY_NUMBER_LABEL), signingPublicKey));
  for (let round = 0; round < HASH_ROUNDS; round++) digest = nacl.hash(concatBytes(digest, signingPublicKey));

  let digits = '';
  for (let offset = 0; digits.length < DIGITS_PER_KEY; offset += 5) {
    const chunk = digest.subarray(offset, offset + 5).reduce((value, byte) => value * 256 + byte, 0);
    digits += String(chunk % 100_000).padStart(5, '0');
  }

  return digits;
}

/**
 * Computes the safety number shared by two signing keys, as 12 groups of 5 digits separated by
 * spaces. The order of the arguments does not matter.
 */
export function safetyNumber(ownSigningKey: Uint8Array, otherSigningKey: Uint8Array): string {
  const [first, second] = compareBytes(ownSigningKey, otherSigningKey) <= 0
    ? [ownSigningKey, otherSigningKey]
    : [otherSigningKey, ownSigningKey];
  const digits = keyFingerprintDigits(first) + keyFingerprintDigits(second);

  return digits.match(/\d{5}/g)?.join(' ') ?? digits;
}

/** Tells whether two typed-in or scanned safety numbers match, ignoring spaces. */
export function safetyNumbersMatch(a: string, b: string): boolean {
  return bytesEqual(utf8(a.replace(/\s+/g, '')), utf8(b.replace(/\s+/g, '')));
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }

  return a.length - b.length;
}
