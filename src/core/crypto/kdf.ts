/**
 * Key derivation from tweetnacl's SHA-512: HMAC (RFC 2104) and an HKDF-style expand
 * (RFC 5869) that returns one 32-byte key per label. Every key Meshtext derives goes through
 * `deriveKey` with its own label, so keys for different purposes never coincide.
 */

import nacl from 'tweetnacl';
import { concatBytes, utf8 } from '../bytes.ts';

const BLOCK_BYTES = 128;
export const KEY_BYTES = 32;

/** Computes HMAC-SHA-512 of `message` under `key`. */
export function hmacSha512(key: Uint8Array, message: Uint8Array): Uint8Array {
  const blockKey = new Uint8Array(BLOCK_BYTES);
  blockKey.set(key.length > BLOCK_BYTES ? nacl.hash(key) : key);

  const innerPad = blockKey.map((byte) => byte ^ 0x36);
  const outerPad = blockKey.map((byte) => byte ^ 0x5c);

  return nacl.hash(concatBytes(outerPad, nacl.hash(concatBytes(innerPad, message))));
}

/**
 * Derives a 32-byte key for `label` from secret input keying material (HKDF extract with a zero
 * salt, then one expand block whose info is the label).
 */
export function deriveKey(inputKeyMaterial: Uint8Array, label: string): Uint8Array {
  const pseudoRandomKey = hmacSha512(new Uint8Array(64), inputKeyMaterial);

  return hmacSha512(pseudoRandomKey, concatBytes(utf8(label), Uint8Array.of(1))).slice(0, KEY_BYTES);
}

/** Hashes the parts in order with SHA-512, each prefixed by its 4-byte length so the split is unambiguous. */
export function hashParts(...parts: Uint8Array[]): Uint8Array {
  const framed: Uint8Array[] = [];

  for (const part of parts) {
    const length = new Uint8Array(4);
    new DataView(length.buffer).setUint32(0, part.length);
    framed.push(length, part);
  }

  return nacl.hash(concatBytes(...framed));
}
