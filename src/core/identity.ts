/**
 * The user's own identity: an Ed25519 signing key pair whose public half is the relay address,
 * an X25519 box key pair for key agreement, a display name and a random instance id that is new
 * for every install and every restore, so sequence numbers from two installs never collide.
 */

import nacl from 'tweetnacl';
import { addressFromSigningKey } from './address.ts';
import { toBase64Url } from './bytes.ts';
import type { RandomBytes } from './ports.ts';

export const IDENTITY_VERSION = 1;
export const MAX_DISPLAY_NAME_LENGTH = 64;

export interface Identity {
  version: number;
  address: string;
  displayName: string;
  signingPublicKey: Uint8Array;
  signingSecretKey: Uint8Array;
  boxPublicKey: Uint8Array;
  boxSecretKey: Uint8Array;
  instanceId: string;
  createdAt: number;
}

/**
 * Creates a new identity with fresh keys.
 * @throws RangeError when the display name is empty or longer than MAX_DISPLAY_NAME_LENGTH.
 */
export function createIdentity(displayName: string, randomBytes: RandomBytes, now: number): Identity {
  const name = normaliseDisplayName(displayName);
  const signing = nacl.sign.keyPair.fromSeed(randomBytes(32));
  const box = nacl.box.keyPair.fromSecretKey(randomBytes(32));

  return {
    version: IDENTITY_VERSION,
    address: addressFromSigningKey(signing.publicKey),
    displayName: name,
    signingPublicKey: signing.publicKey,
    signingSecretKey: signing.secretKey,
    boxPublicKey: box.publicKey,
    boxSecretKey: box.secretKey,
    instanceId: createInstanceId(randomBytes),
    createdAt: now,
  };
}

/** Creates a random install instance id (16 bytes, base64url). */
export function createInstanceId(randomBytes: RandomBytes): string {
  return toBase64Url(randomBytes(16));
}

/**
 * Trims a display name and checks its length.
 * @throws RangeError when the trimmed name is empty or too long.
 */
export function normaliseDisplayName(displayName: string): string {
  const name = displayName.trim().replace(/\s+/g, ' ');

  if (name.length === 0) throw new RangeError('display name is empty');
  if (name.length > MAX_DISPLAY_NAME_LENGTH) {
    throw new RangeError(`display name is longer than ${MAX_DISPLAY_NAME_LENGTH} characters`);
  }

  return name;
}
