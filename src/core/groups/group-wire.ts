/**
 * Payloads of the group layer, carried inside session frames as `{ t: 'grp', body }`. Sync is
 * per group: an offer lists the sender's log heads, key bundle ids and, per message sender, the
 * highest sequence number up to which it has every message. The peer replies with what the
 * offer lacks.
 */

import { isAddress } from '../address.ts';
import { GroupDataError } from './group-errors.ts';

const HASH_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;
export const MAX_OFFER_HEADS = 16;
export const MAX_OFFER_BUNDLES = 1024;
export const MAX_OFFER_MARKS = 1024;
export const MAX_ENTRIES_PER_PAYLOAD = 16;

export type GroupBody =
  | { k: 'offer'; group: string; heads: string[]; bundles: string[]; marks: Record<string, number>; isReply: boolean }
  | { k: 'log'; group: string; entries: unknown[] }
  | { k: 'key'; group: string; bundle: unknown }
  | { k: 'msg'; message: unknown }
  | { k: 'join'; group: string }
  | { k: 'unjoin'; group: string };

/**
 * Validates the outer shape of a group payload body. Entries, bundles and messages inside are
 * checked by their own parsers.
 * @throws GroupDataError naming the first invalid field.
 */
export function parseGroupBody(input: unknown): GroupBody {
  if (typeof input !== 'object' || input === null) throw new GroupDataError('group payload is not an object');

  const body = input as Record<string, unknown>;
  switch (body.k) {
    case 'offer':
      return parseOffer(body);
    case 'log':
      if (!Array.isArray(body.entries) || body.entries.length === 0 || body.entries.length > MAX_ENTRIES_PER_PAYLOAD) {
        throw new GroupDataError('log payload entries are invalid');
      }
      return { k: 'log', group: parseGroupId(body.group), entries: body.entries };
    case 'key':
      return { k: 'key', group: parseGroupId(body.group), bundle: body.bundle };
    case 'msg':
      return { k: 'msg', message: body.message };
    case 'join':
      return { k: 'join', group: parseGroupId(body.group) };
    case 'unjoin':
      return { k: 'unjoin', group: parseGroupId(body.group) };
    default:
      throw new GroupDataError(`unknown group payload kind ${JSON.stringify(body.k)}`);
  }
}

function parseOffer(body: Record<string, unknown>): GroupBody {
  const { heads, bundles, marks, isReply } = body;

  if (!Array.isArray(heads) || heads.length > MAX_OFFER_HEADS || !heads.every((head) => typeof head === 'string' && HASH_PATTERN.test(head))) {
    throw new GroupDataError('offer heads are invalid');
  }
  if (!Array.isArray(bundles) || bundles.length > MAX_OFFER_BUNDLES || !bundles.every((id) => typeof id === 'string' && ID_PATTERN.test(id))) {
    throw new GroupDataError('offer bundles are invalid');
  }
  if (typeof marks !== 'object' || marks === null || Array.isArray(marks)) throw new GroupDataError('offer marks are invalid');
  const entries = Object.entries(marks);
  if (entries.length > MAX_OFFER_MARKS) throw new GroupDataError('offer has too many marks');
  for (const [sender, seq] of entries) {
    if (!isAddress(sender) || typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) throw new GroupDataError('offer mark is invalid');
  }
  if (typeof isReply !== 'boolean') throw new GroupDataError('offer reply flag is invalid');

  return { k: 'offer', group: parseGroupId(body.group), heads: heads as string[], bundles: bundles as string[], marks: marks as Record<string, number>, isReply };
}

function parseGroupId(group: unknown): string {
  if (typeof group !== 'string' || !HASH_PATTERN.test(group)) throw new GroupDataError('group id is invalid');

  return group;
}
