/**
 * Key bundles: a new random group key sealed once to every member of one membership state,
 * each copy under the pair key between the author and that member, so only members can open it.
 * An admin signs the bundle, naming the log heads it was made for and the member list, which
 * must match the state at those heads. The bundle id names the key epoch that group messages
 * refer to. A bundle is issued on every membership change, so a removed member never receives a
 * key that later messages use.
 */

import nacl from 'tweetnacl';
import { isAddress, signingKeyFromAddress } from '../address.ts';
import { fromBase64Url, toBase64Url, utf8 } from '../bytes.ts';
import type { WireCard } from '../card.ts';
import type { Identity } from '../identity.ts';
import type { RandomBytes } from '../ports.ts';
import { GroupDataError } from './group-errors.ts';
import type { MembershipLog } from './membership-log.ts';
import type { PairKeys } from './pair-keys.ts';

export const BUNDLE_VERSION = 1;
const BUNDLE_LABEL = 'meshtext group key bundle v1';
export const GROUP_KEY_BYTES = nacl.secretbox.keyLength;
const BOX_BYTES = GROUP_KEY_BYTES + nacl.secretbox.overheadLength;
export const MAX_GROUP_MEMBERS = 256;
const ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;
const HASH_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A key bundle as it travels; `members` is sorted and `boxes` contains one sealed key per member, in that order. */
export interface WireBundle {
  v: number;
  group: string;
  id: string;
  heads: string[];
  author: string;
  at: number;
  members: string[];
  nonce: string;
  boxes: string;
  sig: string;
}

/**
 * Creates and signs a bundle with a fresh group key for `members` (address and card, any order).
 * Costs one secretbox per member plus one X25519 agreement for each member whose pair key is
 * not cached yet, and one signature.
 */
export function createBundle(
  identity: Identity,
  pairKeys: PairKeys,
  randomBytes: RandomBytes,
  fields: { group: string; heads: string[]; at: number; members: Map<string, WireCard> },
): { bundle: WireBundle; key: Uint8Array } {
  const key = randomBytes(GROUP_KEY_BYTES);
  const nonce = randomBytes(nacl.secretbox.nonceLength);
  const members = [...fields.members.keys()].sort();
  const boxes = new Uint8Array(members.length * BOX_BYTES);

  members.forEach((address, index) => {
    const card = fields.members.get(address);
    if (!card) throw new RangeError('member card is missing');
    // One nonce serves every copy because each copy is sealed under a different pair key.
    boxes.set(nacl.secretbox(key, nonce, pairKeys.get(card.boxKey).wrapKey), index * BOX_BYTES);
  });

  const unsigned = {
    v: BUNDLE_VERSION,
    group: fields.group,
    id: toBase64Url(randomBytes(16)),
    heads: [...fields.heads].sort(),
    author: identity.address,
    at: fields.at,
    members,
    nonce: toBase64Url(nonce),
    boxes: toBase64Url(boxes),
  };
  const sig = nacl.sign.detached(bundleBytes(unsigned), identity.signingSecretKey);

  return { bundle: { ...unsigned, sig: toBase64Url(sig) }, key };
}

/**
 * Checks a bundle from a peer against the log: shape, signature, known heads, an admin author
 * and a member list equal to the members at those heads.
 * @throws GroupDataError naming the first problem.
 */
export function verifyBundle(input: unknown, log: MembershipLog): WireBundle {
  const bundle = parseBundle(input);

  if (bundle.group !== log.groupId) throw new GroupDataError('bundle belongs to another group');
  if (!bundle.heads.every((head) => log.has(head))) throw new GroupDataError('bundle follows an unknown log entry');

  const signature = decode(bundle.sig, 'bundle signature');
  if (signature.length !== 64 || !nacl.sign.detached.verify(bundleBytes(bundle), signature, signingKeyFromAddress(bundle.author))) {
    throw new GroupDataError('bundle signature does not match its author');
  }

  const state = log.stateAt(bundle.heads);
  if (!state.admins.has(bundle.author)) throw new GroupDataError('bundle author is not an admin');
  const expected = [...state.members].sort();
  if (expected.length !== bundle.members.length || expected.some((address, index) => bundle.members[index] !== address)) {
    throw new GroupDataError('bundle members differ from the log');
  }

  return bundle;
}

/**
 * Opens this member's copy of the group key, or returns undefined when the bundle has no copy
 * for `ownAddress`.
 * @throws GroupDataError when the copy does not open under the pair key with the author.
 */
export function openBundle(bundle: WireBundle, ownAddress: string, authorBoxKey: string, pairKeys: PairKeys): Uint8Array | undefined {
  const index = bundle.members.indexOf(ownAddress);
  if (index < 0) return undefined;

  const boxes = decode(bundle.boxes, 'bundle boxes');
  const box = boxes.subarray(index * BOX_BYTES, (index + 1) * BOX_BYTES);
  const key = nacl.secretbox.open(box, decode(bundle.nonce, 'bundle nonce'), pairKeys.get(authorBoxKey).wrapKey);
  if (!key) throw new GroupDataError('group key copy does not open under the pair key with its author');

  return key;
}

function bundleBytes(bundle: Omit<WireBundle, 'sig'>): Uint8Array {
  return utf8(JSON.stringify([BUNDLE_LABEL, bundle.v, bundle.group, bundle.id, bundle.heads, bundle.author, bundle.at, bundle.members, bundle.nonce, bundle.boxes]));
}

function decode(text: string, what: string): Uint8Array {
  try {
    return fromBase64Url(text);
  } catch (error) {
    throw new GroupDataError(`${what} is not base64url`, { cause: error });
  }
}

function parseBundle(input: unknown): WireBundle {
  if (typeof input !== 'object' || input === null) throw new GroupDataError('bundle is not an object');

  const { v, group, id, heads, author, at, members, nonce, boxes, sig } = input as Record<string, unknown>;
  if (v !== BUNDLE_VERSION) throw new GroupDataError(`unsupported bundle version ${String(v)}, expected ${BUNDLE_VERSION}`);
  if (typeof group !== 'string' || !HASH_PATTERN.test(group)) throw new GroupDataError('bundle group is invalid');
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) throw new GroupDataError('bundle id is invalid');
  if (!Array.isArray(heads) || heads.length === 0 || heads.length > 16 || !heads.every((head) => typeof head === 'string' && HASH_PATTERN.test(head))) {
    throw new GroupDataError('bundle heads are invalid');
  }
  if (!isAddress(author)) throw new GroupDataError('bundle author is not an address');
  if (typeof at !== 'number' || !Number.isSafeInteger(at)) throw new GroupDataError('bundle time is invalid');
  if (!Array.isArray(members) || members.length === 0 || members.length > MAX_GROUP_MEMBERS || !members.every(isAddress)) {
    throw new GroupDataError('bundle members are invalid');
  }
  if (typeof nonce !== 'string' || typeof boxes !== 'string' || typeof sig !== 'string') throw new GroupDataError('bundle keys or signature are missing');
  if (decode(nonce, 'bundle nonce').length !== nacl.secretbox.nonceLength) throw new GroupDataError('bundle nonce has the wrong length');
  if (decode(boxes, 'bundle boxes').length !== members.length * BOX_BYTES) throw new GroupDataError('bundle has the wrong number of key copies');

  return { v, group, id, heads: [...(heads as string[])], author, at, members: [...(members as string[])], nonce, boxes, sig };
}

