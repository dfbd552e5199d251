/**
 * Group messages. The sender encrypts the content once with the epoch's group key (secretbox).
 * It then attaches one 16-byte HMAC-SHA-256 per epoch member over the SHA-256 digest of the
 * header and ciphertext, keyed by the pair key between sender and that member. A receiver
 * checks only its own entry: another member does not hold that pair key, so it cannot post as
 * the sender, while any member can relay the unchanged message. Sending costs one encryption,
 * one digest and one HMAC per member, and no signature.
 */

import { sha256 } from '@noble/hashes/sha2.js';
import nacl from 'tweetnacl';
import { isAddress } from '../address.ts';
import { bytesEqual, fromBase64Url, fromUtf8, toBase64Url, utf8 } from '../bytes.ts';
import { DecryptError } from '../errors.ts';
import type { RandomBytes } from '../ports.ts';
import { MAX_TEXT_LENGTH } from '../messages.ts';
import { GroupDataError } from './group-errors.ts';
import type { PairKeys } from './pair-keys.ts';
import { authenticate, TAG_BYTES } from './pair-keys.ts';

export const GROUP_MESSAGE_VERSION = 1;
const MESSAGE_LABEL = 'meshtext group message v1';
const ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;
const HASH_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const MAX_READ_IDS = 256;
/** Largest ciphertext accepted, in base64url characters; keeps a message inside one frame. */
const MAX_CIPHERTEXT_CHARS = 44_000;

/** A group message as it travels and as members relay it. */
export interface WireGroupMessage {
  v: number;
  group: string;
  epoch: string;
  sender: string;
  seq: number;
  nonce: string;
  ct: string;
  tags: string;
}

/** Plaintext of a group message: a text post or a read receipt. */
export type GroupContent =
  | { k: 'text'; id: string; sentAt: number; text: string }
  | { k: 'read'; id: string; sentAt: number; ids: string[] };

/** The epoch a message is sealed for: its id, its key and its members' box keys in bundle order. */
export interface Epoch {
  group: string;
  id: string;
  key: Uint8Array;
  members: string[];
  boxKeys: string[];
}

/** Encrypts content once for the epoch and authenticates it to every member. */
export function sealGroupMessage(
  epoch: Epoch,
  pairKeys: PairKeys,
  randomBytes: RandomBytes,
  fields: { sender: string; seq: number; content: GroupContent },
): WireGroupMessage {
  const nonce = randomBytes(nacl.secretbox.nonceLength);
  const ciphertext = nacl.secretbox(utf8(JSON.stringify(fields.content)), nonce, epoch.key);
  const header = { v: GROUP_MESSAGE_VERSION, group: epoch.group, epoch: epoch.id, sender: fields.sender, seq: fields.seq, nonce: toBase64Url(nonce) };
  const digest = messageDigest(header, ciphertext);
  const tags = new Uint8Array(epoch.members.length * TAG_BYTES);

  epoch.boxKeys.forEach((boxKey, index) => tags.set(authenticate(pairKeys.get(boxKey), digest), index * TAG_BYTES));

  return { ...header, ct: toBase64Url(ciphertext), tags: toBase64Url(tags) };
}

/**
 * Checks this member's authenticator for the claimed sender, then decrypts.
 * @throws GroupDataError when the receiver has no entry or the entry does not match the sender;
 *   DecryptError when the ciphertext does not open under the epoch key.
 */
export function openGroupMessage(message: WireGroupMessage, epoch: Epoch, ownAddress: string, senderBoxKey: string, pairKeys: PairKeys): GroupContent {
  const index = epoch.members.indexOf(ownAddress);
  if (index < 0) throw new GroupDataError('receiver is not a member of the message epoch');
  if (!epoch.members.includes(message.sender)) throw new GroupDataError('sender is not a member of the message epoch');

  const tags = decode(message.tags, 'message tags');
  if (tags.length !== epoch.members.length * TAG_BYTES) throw new GroupDataError('message has the wrong number of tags');

  const ciphertext = decode(message.ct, 'message ciphertext');
  const expected = authenticate(pairKeys.get(senderBoxKey), messageDigest(message, ciphertext));
  if (!bytesEqual(expected, tags.subarray(index * TAG_BYTES, (index + 1) * TAG_BYTES))) {
    throw new GroupDataError('message is not authenticated by its sender');
  }

  const plaintext = nacl.secretbox.open(ciphertext, decode(message.nonce, 'message nonce'), epoch.key);
  if (!plaintext) throw new DecryptError('group message does not open under its epoch key');

  return parseContent(plaintext);
}

/** Validates the outer shape of a group message from a peer. */
export function parseGroupMessage(input: unknown): WireGroupMessage {
  if (typeof input !== 'object' || input === null) throw new GroupDataError('group message is not an object');

  const { v, group, epoch, sender, seq, nonce, ct, tags } = input as Record<string, unknown>;
  if (v !== GROUP_MESSAGE_VERSION) throw new GroupDataError(`unsupported group message version ${String(v)}, expected ${GROUP_MESSAGE_VERSION}`);
  if (typeof group !== 'string' || !HASH_PATTERN.test(group)) throw new GroupDataError('group message group is invalid');
  if (typeof epoch !== 'string' || !ID_PATTERN.test(epoch)) throw new GroupDataError('group message epoch is invalid');
  if (!isAddress(sender)) throw new GroupDataError('group message sender is not an address');
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) throw new GroupDataError('group message seq is invalid');
  if (typeof nonce !== 'string' || nonce.length !== 32) throw new GroupDataError('group message nonce is invalid');
  if (typeof ct !== 'string' || ct.length > MAX_CIPHERTEXT_CHARS) throw new GroupDataError('group message ciphertext is missing or too long');
  if (typeof tags !== 'string') throw new GroupDataError('group message tags are missing');

  return { v, group, epoch, sender, seq, nonce, ct, tags };
}

function messageDigest(header: Omit<WireGroupMessage, 'ct' | 'tags'>, ciphertext: Uint8Array): Uint8Array {
  const headerBytes = utf8(JSON.stringify([MESSAGE_LABEL, header.v, header.group, header.epoch, header.sender, header.seq, header.nonce]));

  return sha256.create().update(headerBytes).update(ciphertext).digest();
}

function parseContent(plaintext: Uint8Array): GroupContent {
  let value: unknown;
  try {
    value = JSON.parse(fromUtf8(plaintext));
  } catch (error) {
    throw new GroupDataError('group message content is not valid JSON', { cause: error });
  }
  if (typeof value !== 'object' || value === null) throw new GroupDataError('group message content is not an object');

  const { k, id, sentAt, text, ids } = value as Record<string, unknown>;
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) throw new GroupDataError('group message id is invalid');
  if (typeof sentAt !== 'number' || !Number.isFinite(sentAt)) throw new GroupDataError('group message time is invalid');

  if (k === 'text') {
    if (typeof text !== 'string' || text.length === 0 || text.length > MAX_TEXT_LENGTH) throw new GroupDataError('group message text is missing or too long');
    return { k, id, sentAt, text };
  }
  if (k === 'read') {
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_READ_IDS || !ids.every((one) => typeof one === 'string' && ID_PATTERN.test(one))) {
      throw new GroupDataError('read receipt ids are invalid');
    }
    return { k, id, sentAt, ids: ids as string[] };
  }

  throw new GroupDataError(`unknown group content kind ${JSON.stringify(k)}`);
}

function decode(text: string, what: string): Uint8Array {
  try {
    return fromBase64Url(text);
  } catch (error) {
    throw new GroupDataError(`${what} is not base64url`, { cause: error });
  }
}

export { MAX_READ_IDS };
