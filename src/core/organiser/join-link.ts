/**
 * List join links: an organiser's invite that also files the person who opens it into one of
 * the organiser's contact lists. It travels in the URL fragment
 * (`#/join/v1.<base64url JSON>`), like an invite, and holds the organiser's signed card, the
 * relay URLs, and the list's id, name and join token, signed with the organiser's signing key.
 * The signature covers the address, so a list part cannot be moved onto another card.
 */

import nacl from 'tweetnacl';
import { concatBytes, fromBase64Url, fromUtf8, toBase64Url, utf8 } from '../bytes.ts';
import type { Card, WireCard } from '../card.ts';
import { verifyCard } from '../card.ts';
import type { Identity } from '../identity.ts';

export const JOIN_LINK_VERSION = 1;
export const JOIN_FRAGMENT_PREFIX = '#/join/';
export const MAX_JOIN_LINK_LENGTH = 4096;
export const MAX_LIST_NAME_LENGTH = 64;
const JOIN_LABEL = 'meshtext list join v1\u0000';
const MAX_RELAYS = 8;
const LIST_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

export type JoinLinkErrorReason = 'empty' | 'too-long' | 'not-a-join-link' | 'damaged' | 'version' | 'altered';

/** A join link that cannot be used; `reason` picks the sentence the UI shows. */
export class JoinLinkError extends Error {
  override name = 'JoinLinkError';
  readonly reason: JoinLinkErrorReason;

  constructor(reason: JoinLinkErrorReason, message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}

export interface ListJoinOffer {
  organiser: Card;
  relays: string[];
  list: { id: string; name: string; token: string };
}

interface WireJoin {
  v: number;
  card: WireCard;
  address: string;
  relays: string[];
  list: { id: string; name: string; token: string };
  signature: string;
}

/** Builds the join link of a list on the origin of `appUrl`. */
export function createJoinLink(
  appUrl: string,
  identity: Identity,
  card: WireCard,
  relays: string[],
  list: { id: string; name: string; token: string },
): string {
  const signature = nacl.sign.detached(joinMessage(identity.address, list), identity.signingSecretKey);
  const wire: WireJoin = { v: JOIN_LINK_VERSION, card, address: identity.address, relays, list, signature: toBase64Url(signature) };
  const base = appUrl.split('#')[0];

  return `${base}${JOIN_FRAGMENT_PREFIX}v${JOIN_LINK_VERSION}.${toBase64Url(utf8(JSON.stringify(wire)))}`;
}

/** Tells whether the text holds a join link rather than another kind of link. */
export function isJoinLink(text: string): boolean {
  return text.includes(JOIN_FRAGMENT_PREFIX);
}

/**
 * Parses and verifies a join link or its bare fragment.
 * @throws JoinLinkError whose reason says what is wrong.
 */
export function parseJoinLink(link: string): ListJoinOffer {
  const text = link.trim();
  if (text.length === 0) throw new JoinLinkError('empty', 'the join link is empty');
  if (text.length > MAX_JOIN_LINK_LENGTH) throw new JoinLinkError('too-long', `the join link is longer than ${MAX_JOIN_LINK_LENGTH} characters`);

  const prefixIndex = text.indexOf(JOIN_FRAGMENT_PREFIX);
  if (prefixIndex < 0) throw new JoinLinkError('not-a-join-link', 'this is not a Meshtext list join link');

  const match = /^v(\d+)\.([A-Za-z0-9_-]+)$/.exec(text.slice(prefixIndex + JOIN_FRAGMENT_PREFIX.length));
  if (!match) throw new JoinLinkError('damaged', 'the join link is incomplete or damaged');
  if (Number(match[1]) !== JOIN_LINK_VERSION) {
    throw new JoinLinkError('version', `the join link has version ${match[1]}, expected ${JOIN_LINK_VERSION}`);
  }

  const wire = decodeWire(match[2] ?? '');
  let organiser: Card;
  try {
    organiser = verifyCard(wire.card);
  } catch (error) {
    throw new JoinLinkError('altered', 'the join link was altered: its card signature does not match its keys', { cause: error });
  }
  if (wire.address !== organiser.address) throw new JoinLinkError('altered', 'the join link was altered: its address does not match its keys');

  const signature = decodeSignature(wire.signature);
  if (!nacl.sign.detached.verify(joinMessage(wire.address, wire.list), signature, organiser.signingPublicKey)) {
    throw new JoinLinkError('altered', 'the join link was altered: its list signature does not match');
  }

  return { organiser, relays: wire.relays, list: wire.list };
}

function joinMessage(address: string, list: { id: string; name: string; token: string }): Uint8Array {
  return concatBytes(utf8(JOIN_LABEL), utf8(`${address}\u0000${list.id}\u0000${list.token}\u0000`), utf8(list.name));
}

function decodeWire(encoded: string): WireJoin {
  let value: unknown;
  try {
    value = JSON.parse(fromUtf8(fromBase64Url(encoded)));
  } catch (error) {
    throw new JoinLinkError('damaged', 'the join link is incomplete or damaged', { cause: error });
  }
  if (typeof value !== 'object' || value === null) throw new JoinLinkError('damaged', 'the join link is incomplete or damaged');

  const { v, card, address, relays, list, signature } = value as Record<string, unknown>;
  if (v !== JOIN_LINK_VERSION) throw new JoinLinkError('version', `the join link has version ${String(v)}, expected ${JOIN_LINK_VERSION}`);
  if (typeof address !== 'string') throw new JoinLinkError('damaged', 'the join link has no address');
  if (typeof signature !== 'string') throw new JoinLinkError('damaged', 'the join link has no list signature');
  if (!Array.isArray(relays) || relays.length > MAX_RELAYS || !relays.every((url) => typeof url === 'string')) {
    throw new JoinLinkError('damaged', 'the join link has an invalid relay list');
  }

  return { v, card: card as WireCard, address, relays: relays as string[], list: checkList(list), signature };
}

function checkList(value: unknown): { id: string; name: string; token: string } {
  if (typeof value !== 'object' || value === null) throw new JoinLinkError('damaged', 'the join link has no list');

  const { id, name, token } = value as Record<string, unknown>;
  if (typeof id !== 'string' || !LIST_ID_PATTERN.test(id)) throw new JoinLinkError('damaged', 'the join link has an invalid list id');
  if (typeof token !== 'string' || !TOKEN_PATTERN.test(token)) throw new JoinLinkError('damaged', 'the join link has an invalid list token');
  if (typeof name !== 'string' || name.trim().length === 0 || name.length > MAX_LIST_NAME_LENGTH) {
    throw new JoinLinkError('damaged', 'the join link has a missing or too long list name');
  }

  return { id, name, token };
}

function decodeSignature(text: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64Url(text);
  } catch (error) {
    throw new JoinLinkError('damaged', 'the join link signature is not base64url', { cause: error });
  }
  if (bytes.length !== nacl.sign.signatureLength) throw new JoinLinkError('altered', 'the join link was altered: its list signature has the wrong length');

  return bytes;
}
