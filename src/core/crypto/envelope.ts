/**
 * Sealed envelopes, for anything a third party stores or forwards (the relay mailbox, other
 * peers). Only the recipient can open one, and only the recipient learns and can check who sent
 * it: the sender proves itself with the static-static DH, which the recipient could have computed
 * too, so the proof convinces no one else. The carrier can read only what the mailbox
 * protocol puts outside (recipient address, size, expiry).
 *
 * Layout: version (1) | kind (5) | ephemeral public key (32) | secretbox(outer) under
 * k1 = KDF(ePub, sR, DH(e, sR)). The outer plaintext is the sender's card (length-prefixed) and
 * secretbox(inner) under k2 = KDF(ePub, sS, sR, DH(e, sR), DH(sS, sR)). The inner plaintext holds
 * the message id, instance, seq, creation time and time to live as JSON, then the payload.
 * Keys are single-use because e is fresh, so a zero nonce never repeats under one key.
 */

import nacl from 'tweetnacl';
import { addressFromSigningKey } from '../address.ts';
import { concatBytes, fromBase64Url, fromUtf8, utf8 } from '../bytes.ts';
import type { Card, WireCard } from '../card.ts';
import { sameWireCard, verifyCard } from '../card.ts';
import { CardError, DecryptError, FrameError } from '../errors.ts';
import type { Identity } from '../identity.ts';
import type { RandomBytes } from '../ports.ts';
import { PROTOCOL_VERSION } from './frame-codec.ts';
import { deriveKey, hashParts } from './kdf.ts';

export const ENVELOPE_KIND = 5;
/** Maximum size of a sealed envelope, checked before any decryption. */
export const MAX_ENVELOPE_BYTES = 64 * 1024;
/** Clock difference tolerated between sender and recipient. */
export const MAX_CLOCK_SKEW_MS = 10 * 60 * 1000;
export const DEFAULT_ENVELOPE_TTL_MS = 14 * 24 * 60 * 60 * 1000;

const ZERO_NONCE = new Uint8Array(nacl.secretbox.nonceLength);
const KEY_BYTES = 32;
const HEADER_BYTES = 2 + KEY_BYTES;

/** Authenticated contents of an envelope; `id` and `sender` feed de-duplication. */
export interface EnvelopeContents {
  id: string;
  instance: string;
  seq: number;
  createdAt: number;
  ttlMs: number;
  payload: Uint8Array;
}

export interface OpenedEnvelope extends EnvelopeContents {
  sender: Card;
}

interface InnerHeader {
  id: string;
  instance: string;
  seq: number;
  createdAt: number;
  ttlMs: number;
}

function outerKey(ephemeralPublic: Uint8Array, recipientBox: Uint8Array, ephemeralShared: Uint8Array): Uint8Array {
  return deriveKey(hashParts(utf8('meshtext envelope v1 outer'), ephemeralPublic, recipientBox, ephemeralShared), 'meshtext envelope outer');
}

function innerKey(
  ephemeralPublic: Uint8Array,
  senderBox: Uint8Array,
  recipientBox: Uint8Array,
  ephemeralShared: Uint8Array,
  staticShared: Uint8Array,
): Uint8Array {
  const material = hashParts(utf8('meshtext envelope v1 inner'), ephemeralPublic, senderBox, recipientBox, ephemeralShared, staticShared);

  return deriveKey(material, 'meshtext envelope inner');
}

/** Seals contents from `sender` to the holder of `recipientBoxKey`. */
export function sealEnvelope(
  sender: Identity,
  senderCard: WireCard,
  recipientBoxKey: Uint8Array,
  contents: EnvelopeContents,
  randomBytes: RandomBytes,
): Uint8Array {
  const ephemeral = nacl.box.keyPair.fromSecretKey(randomBytes(KEY_BYTES));
  const ephemeralShared = nacl.scalarMult(ephemeral.secretKey, recipientBoxKey);
  const staticShared = nacl.scalarMult(sender.boxSecretKey, recipientBoxKey);
  const header: InnerHeader = {
    id: contents.id,
    instance: contents.instance,
    seq: contents.seq,
    createdAt: contents.createdAt,
    ttlMs: contents.ttlMs,
  };
  const inner = concatBytes(withLength(utf8(JSON.stringify(header))), contents.payload);
  const sealedInner = nacl.secretbox(
    inner,
    ZERO_NONCE,
    innerKey(ephemeral.publicKey, sender.boxPublicKey, recipientBoxKey, ephemeralShared, staticShared),
  );
  const outer = concatBytes(withLength(utf8(JSON.stringify(senderCard))), sealedInner);
  const sealedOuter = nacl.secretbox(outer, ZERO_NONCE, outerKey(ephemeral.publicKey, recipientBoxKey, ephemeralShared));

  return concatBytes(Uint8Array.of(PROTOCOL_VERSION, ENVELOPE_KIND), ephemeral.publicKey, sealedOuter);
}

/**
 * Opens an envelope addressed to `recipient`. `knownCards` returns the stored card of a sender,
 * which skips signature verification when the envelope carries the same card.
 * @throws FrameError for a malformed or oversize envelope, DecryptError when it was altered, is
 * not for this recipient, was not sealed by the card's owner, or has expired.
 */
export function openEnvelope(
  recipient: Identity,
  envelope: Uint8Array,
  now: number,
  knownCard: (address: string) => Card | undefined,
): OpenedEnvelope {
  if (envelope.length > MAX_ENVELOPE_BYTES) throw new FrameError(`envelope of ${envelope.length} bytes exceeds ${MAX_ENVELOPE_BYTES}`);
  if (envelope.length < HEADER_BYTES + nacl.secretbox.overheadLength) throw new FrameError('envelope is truncated');
  if (envelope[0] !== PROTOCOL_VERSION || envelope[1] !== ENVELOPE_KIND) throw new FrameError('not a version 1 envelope');

  const ephemeralPublic = envelope.subarray(2, HEADER_BYTES);
  const ephemeralShared = nacl.scalarMult(recipient.boxSecretKey, ephemeralPublic);
  const outer = nacl.secretbox.open(envelope.subarray(HEADER_BYTES), ZERO_NONCE, outerKey(ephemeralPublic, recipient.boxPublicKey, ephemeralShared));
  if (!outer) throw new DecryptError('envelope failed authentication');

  const { head: cardBytes, rest: sealedInner } = splitLength(outer);
  const sender = readSenderCard(cardBytes, knownCard);
  const staticShared = nacl.scalarMult(recipient.boxSecretKey, sender.boxPublicKey);
  const inner = nacl.secretbox.open(
    sealedInner,
    ZERO_NONCE,
    innerKey(ephemeralPublic, sender.boxPublicKey, recipient.boxPublicKey, ephemeralShared, staticShared),
  );
  if (!inner) throw new DecryptError('envelope was not sealed by the owner of its sender card');

  const { head: headerBytes, rest: payload } = splitLength(inner);
  const header = parseInnerHeader(headerBytes);
  if (header.createdAt > now + MAX_CLOCK_SKEW_MS) throw new DecryptError('envelope was created in the future');
  if (now > header.createdAt + header.ttlMs + MAX_CLOCK_SKEW_MS) throw new DecryptError('envelope has expired');

  return { ...header, payload, sender };
}

function withLength(bytes: Uint8Array): Uint8Array {
  const length = new Uint8Array(2);
  new DataView(length.buffer).setUint16(0, bytes.length);

  return concatBytes(length, bytes);
}

function splitLength(bytes: Uint8Array): { head: Uint8Array; rest: Uint8Array } {
  if (bytes.length < 2) throw new FrameError('envelope section is truncated');

  const length = new DataView(bytes.buffer, bytes.byteOffset, 2).getUint16(0);
  if (bytes.length < 2 + length) throw new FrameError('envelope section is truncated');

  return { head: bytes.subarray(2, 2 + length), rest: bytes.subarray(2 + length) };
}

function readSenderCard(bytes: Uint8Array, knownCard: (address: string) => Card | undefined): Card {
  let wire: WireCard;
  try {
    wire = JSON.parse(fromUtf8(bytes)) as WireCard;
  } catch (error) {
    throw new FrameError('envelope sender card is not valid JSON', { cause: error });
  }

  try {
    const known = knownCard(claimedAddress(wire));
    if (known && sameWireCard(known.wire, wire)) return known;

    return verifyCard(wire);
  } catch (error) {
    if (error instanceof CardError) throw new DecryptError(`envelope sender card is invalid: ${error.message}`, { cause: error });
    throw error;
  }
}

/** Returns the address a card claims, before its signature is checked. */
function claimedAddress(wire: WireCard): string {
  try {
    return addressFromSigningKey(fromBase64Url(wire.signingKey));
  } catch (error) {
    throw new CardError('card signing key is invalid', { cause: error });
  }
}

function parseInnerHeader(bytes: Uint8Array): InnerHeader {
  let value: Partial<InnerHeader>;
  try {
    value = JSON.parse(fromUtf8(bytes)) as Partial<InnerHeader>;
  } catch (error) {
    throw new FrameError('envelope header is not valid JSON', { cause: error });
  }

  const { id, instance, seq, createdAt, ttlMs } = value;
  if (typeof id !== 'string' || typeof instance !== 'string') throw new FrameError('envelope id or instance is missing');
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) throw new FrameError('envelope seq is invalid');
  if (typeof createdAt !== 'number' || !Number.isFinite(createdAt)) throw new FrameError('envelope creation time is invalid');
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0) throw new FrameError('envelope time to live is invalid');

  return { id, instance, seq, createdAt, ttlMs };
}
