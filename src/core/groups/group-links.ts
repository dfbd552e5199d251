/**
 * Join links for event teams: `<app URL>#/group/v1.<base64url JSON>` naming the group, its name
 * and the card of the admin who shared it. The person who opens one sends a join request to
 * that admin, who approves or ignores it. The link alone grants nothing.
 */

import { fromBase64Url, fromUtf8, toBase64Url, utf8 } from '../bytes.ts';
import type { Card, WireCard } from '../card.ts';
import { verifyCard } from '../card.ts';
import { GroupDataError } from './group-errors.ts';
import { checkGroupName } from './group-names.ts';

export const GROUP_LINK_VERSION = 1;
export const GROUP_LINK_PREFIX = '#/group/';
const MAX_GROUP_LINK_LENGTH = 4096;
const HASH_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface GroupLink {
  group: string;
  name: string;
  admin: Card;
}

export function createGroupLink(appUrl: string, fields: { group: string; name: string; adminCard: WireCard }): string {
  const payload = { v: GROUP_LINK_VERSION, g: fields.group, n: fields.name, a: fields.adminCard };

  return `${appUrl}${GROUP_LINK_PREFIX}v${GROUP_LINK_VERSION}.${toBase64Url(utf8(JSON.stringify(payload)))}`;
}

/**
 * Parses a join link and verifies the admin's card.
 * @throws GroupDataError when the link is malformed, of another version or its card is invalid.
 */
export function parseGroupLink(link: string): GroupLink {
  if (link.length > MAX_GROUP_LINK_LENGTH) throw new GroupDataError('group link is too long');

  const marker = link.indexOf(GROUP_LINK_PREFIX);
  if (marker < 0) throw new GroupDataError('this is not a group link');
  const rest = link.slice(marker + GROUP_LINK_PREFIX.length);
  const prefix = `v${GROUP_LINK_VERSION}.`;
  if (!rest.startsWith(prefix)) throw new GroupDataError('group link version is not supported');

  let value: unknown;
  try {
    value = JSON.parse(fromUtf8(fromBase64Url(rest.slice(prefix.length))));
  } catch (error) {
    throw new GroupDataError('group link is damaged', { cause: error });
  }
  if (typeof value !== 'object' || value === null) throw new GroupDataError('group link is damaged');

  const { v, g, n, a } = value as Record<string, unknown>;
  if (v !== GROUP_LINK_VERSION) throw new GroupDataError('group link version is not supported');
  if (typeof g !== 'string' || !HASH_PATTERN.test(g)) throw new GroupDataError('group link names no valid group');

  try {
    return { group: g, name: checkGroupName(n), admin: verifyCard(a) };
  } catch (error) {
    throw new GroupDataError('group link has an invalid name or card', { cause: error });
  }
}
