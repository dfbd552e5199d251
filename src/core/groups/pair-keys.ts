/**
 * Pairwise keys between this device's owner and each other group member. Both come from the
 * static X25519 agreement (`nacl.box.before`, about 1 ms with tweetnacl) through separate
 * labels, so the key that wraps group keys never doubles as the key that authenticates messages.
 * Both sides compute the same pair keys, so only those two people can make or check them.
 */

import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import nacl from 'tweetnacl';
import { fromBase64Url } from '../bytes.ts';
import { deriveKey } from '../crypto/kdf.ts';

const WRAP_LABEL = 'meshtext group key wrap v1';
const AUTH_LABEL = 'meshtext group sender auth v1';

type Hmac = ReturnType<typeof hmac.create>;

/** The two keys shared with one member, with the HMAC state for authenticators precomputed. */
export interface PairKey {
  wrapKey: Uint8Array;
  authenticator: Hmac;
}

/** The derived keys of one pair as storage keeps them, so a restart skips the X25519 step. */
export interface StoredPairKey {
  boxKey: string;
  wrapKey: Uint8Array;
  authKey: Uint8Array;
}

/** Cache of pair keys for one identity, keyed by the other member's box public key in base64url. */
export class PairKeys {
  readonly #boxSecretKey: Uint8Array;
  readonly #cache = new Map<string, PairKey>();
  #unsaved: StoredPairKey[] = [];

  constructor(boxSecretKey: Uint8Array, stored: Iterable<StoredPairKey> = []) {
    this.#boxSecretKey = boxSecretKey;
    for (const { boxKey, wrapKey, authKey } of stored) {
      this.#cache.set(boxKey, { wrapKey, authenticator: hmac.create(sha256, authKey) });
    }
  }

  /** Returns the pair keys computed since the last call, for storage. */
  takeUnsaved(): StoredPairKey[] {
    return this.#unsaved.splice(0);
  }

  /**
   * Returns the pair key with the holder of a box public key (base64url, as cards carry it),
   * computing it on first use.
   * @throws RangeError when the key is not 32 bytes of base64url.
   */
  get(boxKey: string): PairKey {
    const cached = this.#cache.get(boxKey);
    if (cached) return cached;

    const boxPublicKey = fromBase64Url(boxKey);
    if (boxPublicKey.length !== nacl.box.publicKeyLength) throw new RangeError(`box key has ${boxPublicKey.length} bytes, expected 32`);
    const shared = nacl.box.before(boxPublicKey, this.#boxSecretKey);
    const wrapKey = deriveKey(shared, WRAP_LABEL);
    const authKey = deriveKey(shared, AUTH_LABEL);
    const pair = { wrapKey, authenticator: hmac.create(sha256, authKey) };
    this.#cache.set(boxKey, pair);
    this.#unsaved.push({ boxKey, wrapKey, authKey });

    return pair;
  }

  get size(): number {
    return this.#cache.size;
  }
}

/** Length of one member's authenticator in a group message. */
export const TAG_BYTES = 16;

/** Computes the truncated HMAC-SHA-256 of `digest` under a pair's authentication key. */
export function authenticate(pair: PairKey, digest: Uint8Array): Uint8Array {
  return pair.authenticator.clone().update(digest).digest().subarray(0, TAG_BYTES);
}
