/**
 * Invite links. The invite travels in the URL fragment (`#/invite/v1.<base64url JSON>`), which
 * browsers never send to a server. It holds the inviter's signed contact card, the relay URLs
 * where the inviter registers, and optionally the address, which must match the card's key.
 */

import { fromBase64Url, fromUtf8, toBase64Url, utf8 } from './bytes.ts';
import type { Card, WireCard } from './card.ts';
import { verifyCard } from './card.ts';
import { InviteError } from './errors.ts';

export const INVITE_VERSION = 1;
export const INVITE_FRAGMENT_PREFIX = '#/invite/';
export const MAX_INVITE_LINK_LENGTH = 4096;
const MAX_RELAYS = 8;

export interface Invite {
  card: Card;
  relays: string[];
}

interface WireInvite {
  v: number;
  card: WireCard;
  address: string;
  relays: string[];
}

/** Builds the invite link for a signed card, on the origin of `appUrl`. */
export function createInviteLink(appUrl: string, card: WireCard, address: string, relays: string[]): string {
  const wire: WireInvite = { v: INVITE_VERSION, card, address, relays };
  const base = appUrl.split('#')[0];

  return `${base}${INVITE_FRAGMENT_PREFIX}v${INVITE_VERSION}.${toBase64Url(utf8(JSON.stringify(wire)))}`;
}

/**
 * Parses and verifies an invite link or its bare fragment payload.
 * @throws InviteError with a reason a person can act on.
 */
export function parseInviteLink(link: string): Invite {
  const text = link.trim();
  if (text.length === 0) throw new InviteError('the invite link is empty');
  if (text.length > MAX_INVITE_LINK_LENGTH) throw new InviteError('the invite link is too long');

  const hashIndex = text.indexOf(INVITE_FRAGMENT_PREFIX);
  if (hashIndex < 0) throw new InviteError('this is not a Meshtext invite link');

  const payload = text.slice(hashIndex + INVITE_FRAGMENT_PREFIX.length);
  const match = /^v(\d+)\.([A-Za-z0-9_-]+)$/.exec(payload);
  if (!match) throw new InviteError('the invite link is incomplete or damaged');
  if (Number(match[1]) !== INVITE_VERSION) {
    throw new InviteError(`the invite link has version ${match[1]}, which this app does not support`);
  }

  const wire = decodePayload(match[2] ?? '');
  let card: Card;
  try {
    card = verifyCard(wire.card);
  } catch (error) {
    throw new InviteError('the invite link was altered: its signature does not match its keys', { cause: error });
  }
  if (wire.address !== card.address) {
    throw new InviteError('the invite link was altered: its address does not match its keys');
  }

  return { card, relays: wire.relays };
}

function decodePayload(encoded: string): WireInvite {
  let value: unknown;
  try {
    value = JSON.parse(fromUtf8(fromBase64Url(encoded)));
  } catch (error) {
    throw new InviteError('the invite link is incomplete or damaged', { cause: error });
  }
  if (typeof value !== 'object' || value === null) throw new InviteError('the invite link is incomplete or damaged');

  const { v, card, address, relays } = value as Record<string, unknown>;
  if (v !== INVITE_VERSION) throw new InviteError(`the invite has version ${String(v)}, which this app does not support`);
  if (typeof address !== 'string') throw new InviteError('the invite link has no address');
  if (!Array.isArray(relays) || relays.length > MAX_RELAYS || !relays.every((url) => typeof url === 'string')) {
    throw new InviteError('the invite link has an invalid relay list');
  }

  return { v, card: card as WireCard, address, relays: relays as string[] };
}
