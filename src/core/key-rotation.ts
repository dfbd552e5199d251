/**
 * Key rotation statements. An address is its signing key, so a new key is a new address. A
 * rotation statement is what links the two: the old key and the new key both sign
 * `"meshtext rotation v1\0" || old signing key || new signing key || issuedAt (u64 big-endian)`.
 * The old key's signature proves that the identity the contact knows asked for the change; the
 * new key's signature proves that the new identity agrees to be its successor, so nobody can
 * point an old key at a key they do not hold.
 */

import nacl from 'tweetnacl';
import { addressFromSigningKey, isWeakSigningKey } from './address.ts';
import { bytesEqual, concatBytes, fromBase64Url, toBase64Url, utf8 } from './bytes.ts';
import type { Identity } from './identity.ts';
import type { WireRotation } from './rotation-wire.ts';
import { parseWireRotation, RotationError, ROTATION_VERSION } from './rotation-wire.ts';

export type { WireRotation } from './rotation-wire.ts';
export { parseWireRotation, RotationError, ROTATION_VERSION } from './rotation-wire.ts';

const ROTATION_LABEL = 'meshtext rotation v1\u0000';
const KEY_BYTES = 32;
const SIGNATURE_BYTES = 64;
/** Clock difference tolerated between the statement's issuer and its receiver. */
export const MAX_ROTATION_CLOCK_SKEW_MS = 10 * 60 * 1000;

/** A rotation statement whose shape and both signatures checked out. */
export interface VerifiedRotation {
  oldAddress: string;
  newAddress: string;
  issuedAt: number;
  wire: WireRotation;
}

/** A rotation statement is valid but not newer than one already recorded for its old key. */
export class RotationReplayError extends Error {
  override name = 'RotationReplayError';
}

function rotationMessage(oldKey: Uint8Array, newKey: Uint8Array, issuedAt: number): Uint8Array {
  const time = new Uint8Array(8);
  new DataView(time.buffer).setBigUint64(0, BigInt(issuedAt));

  return concatBytes(utf8(ROTATION_LABEL), oldKey, newKey, time);
}

/**
 * Signs a statement that `next` succeeds `previous`, with both identities' signing keys.
 * @throws RangeError when both identities have the same key or the time is not a whole number of ms.
 */
export function signRotation(previous: Identity, next: Identity, issuedAt: number): WireRotation {
  if (bytesEqual(previous.signingPublicKey, next.signingPublicKey)) throw new RangeError('a rotation needs a new signing key');
  if (!Number.isSafeInteger(issuedAt) || issuedAt < 0) throw new RangeError(`rotation time ${issuedAt} is not a whole number of ms`);

  const message = rotationMessage(previous.signingPublicKey, next.signingPublicKey, issuedAt);

  return {
    v: ROTATION_VERSION,
    oldKey: toBase64Url(previous.signingPublicKey),
    newKey: toBase64Url(next.signingPublicKey),
    issuedAt,
    oldSignature: toBase64Url(nacl.sign.detached(message, previous.signingSecretKey)),
    newSignature: toBase64Url(nacl.sign.detached(message, next.signingSecretKey)),
  };
}

/**
 * Checks a statement's shape, both signatures, and that it was issued no later than
 * MAX_ROTATION_CLOCK_SKEW_MS after `now`.
 * @throws RotationError naming what is wrong.
 */
export function verifyRotation(input: unknown, now: number): VerifiedRotation {
  const wire = parseWireRotation(input);
  const oldKey = decode(wire.oldKey, KEY_BYTES, 'old key');
  const newKey = decode(wire.newKey, KEY_BYTES, 'new key');
  const oldSignature = decode(wire.oldSignature, SIGNATURE_BYTES, 'old signature');
  const newSignature = decode(wire.newSignature, SIGNATURE_BYTES, 'new signature');

  if (isWeakSigningKey(oldKey) || isWeakSigningKey(newKey)) throw new RotationError('rotation key is of small order');
  if (bytesEqual(oldKey, newKey)) throw new RotationError('rotation names the same key twice');
  if (wire.issuedAt > now + MAX_ROTATION_CLOCK_SKEW_MS) throw new RotationError('rotation was issued in the future');

  const message = rotationMessage(oldKey, newKey, wire.issuedAt);
  if (!nacl.sign.detached.verify(message, oldSignature, oldKey)) throw new RotationError('rotation old signature does not match the old key');
  if (!nacl.sign.detached.verify(message, newSignature, newKey)) throw new RotationError('rotation new signature does not match the new key');

  return { oldAddress: addressFromSigningKey(oldKey), newAddress: addressFromSigningKey(newKey), issuedAt: wire.issuedAt, wire };
}

function decode(text: string, length: number, what: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64Url(text);
  } catch (error) {
    throw new RotationError(`rotation ${what} is not base64url`, { cause: error });
  }
  if (bytes.length !== length) throw new RotationError(`rotation ${what} has ${bytes.length} bytes, expected ${length}`);

  return bytes;
}
