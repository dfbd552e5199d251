/**
 * Contact cards: a signed statement by a signing key that binds it to a box key and a display
 * name. Cards travel in invite links and in the session handshake. Verifying costs about 5 ms
 * with tweetnacl, so receivers verify a card only when it differs from the one they stored.
 */

import nacl from 'tweetnacl';
import { addressFromSigningKey, isWeakSigningKey } from './address.ts';
import { concatBytes, fromBase64Url, toBase64Url, utf8 } from './bytes.ts';
import { CardError } from './errors.ts';
import type { Identity } from './identity.ts';
import { MAX_DISPLAY_NAME_LENGTH } from './identity.ts';

export const CARD_VERSION = 1;
const CARD_LABEL = 'meshtext card v1\u0000';

/** A contact card as it travels: keys and signature in base64url. */
export interface WireCard {
  v: number;
  name: string;
  signingKey: string;
  boxKey: string;
  signature: string;
}

/** A verified contact card with decoded keys. */
export interface Card {
  address: string;
  displayName: string;
  signingPublicKey: Uint8Array;
  boxPublicKey: Uint8Array;
  wire: WireCard;
}

function cardMessage(signingKey: Uint8Array, boxKey: Uint8Array, name: string): Uint8Array {
  return concatBytes(utf8(CARD_LABEL), signingKey, boxKey, utf8(name));
}

/** Signs the identity's current card (about 2.5 ms with tweetnacl). */
export function signCard(identity: Identity): WireCard {
  const message = cardMessage(identity.signingPublicKey, identity.boxPublicKey, identity.displayName);

  return {
    v: CARD_VERSION,
    name: identity.displayName,
    signingKey: toBase64Url(identity.signingPublicKey),
    boxKey: toBase64Url(identity.boxPublicKey),
    signature: toBase64Url(nacl.sign.detached(message, identity.signingSecretKey)),
  };
}

/**
 * Decodes a card and checks its shape, version and signature.
 * @throws CardError naming what is wrong.
 */
export function verifyCard(input: unknown): Card {
  const wire = parseWireCard(input);
  const signingPublicKey = decodeKey(wire.signingKey, 32, 'signing key');
  const boxPublicKey = decodeKey(wire.boxKey, 32, 'box key');
  const signature = decodeKey(wire.signature, 64, 'signature');
  if (isWeakSigningKey(signingPublicKey)) throw new CardError('card signing key is of small order');

  if (!nacl.sign.detached.verify(cardMessage(signingPublicKey, boxPublicKey, wire.name), signature, signingPublicKey)) {
    throw new CardError('card signature does not match its signing key');
  }

  return {
    address: addressFromSigningKey(signingPublicKey),
    displayName: wire.name,
    signingPublicKey,
    boxPublicKey,
    wire,
  };
}

/** Tells whether two wire cards are byte-for-byte the same statement. */
export function sameWireCard(a: WireCard, b: WireCard): boolean {
  return a.v === b.v && a.name === b.name && a.signingKey === b.signingKey && a.boxKey === b.boxKey &&
    a.signature === b.signature;
}

function parseWireCard(input: unknown): WireCard {
  if (typeof input !== 'object' || input === null) throw new CardError('card is not an object');

  const { v, name, signingKey, boxKey, signature } = input as Record<string, unknown>;
  if (v !== CARD_VERSION) throw new CardError(`unsupported card version ${String(v)}, expected ${CARD_VERSION}`);
  if (typeof name !== 'string' || name.trim().length === 0 || name.length > MAX_DISPLAY_NAME_LENGTH) {
    throw new CardError('card name is missing or too long');
  }
  if (typeof signingKey !== 'string' || typeof boxKey !== 'string' || typeof signature !== 'string') {
    throw new CardError('card keys or signature are missing');
  }

  return { v, name, signingKey, boxKey, signature };
}

function decodeKey(text: string, length: number, what: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64Url(text);
  } catch (error) {
    throw new CardError(`card ${what} is not base64url`, { cause: error });
  }
  if (bytes.length !== length) throw new CardError(`card ${what} has ${bytes.length} bytes, expected ${length}`);

  return bytes;
}
