/**
 * Control messages: requests between two people's apps that ride the durable outbox like chat
 * messages (queued, resent, acknowledged, sealed for the mailbox) but are never shown as
 * chat. The receiver applies each one idempotently instead of storing it, so a resend after
 * a lost acknowledgement changes nothing, and a later control of the same kind, by `sentAt`,
 * replaces an earlier one.
 */

import type { WireCard } from '../card.ts';
import { FrameError } from '../errors.ts';

/** Longest status line of a profile, in UTF-16 code units. */
export const MAX_PROFILE_STATUS_LENGTH = 140;
/** Longest avatar data URL. An 80×80 JPEG of the kind the app makes is about 4,000 characters. */
export const MAX_AVATAR_URL_LENGTH = 12_000;
const AVATAR_URL_PATTERN = /^data:image\/(?:jpeg|png|webp);base64,[A-Za-z0-9+/]+={0,2}$/;
const LIST_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
const MESSAGE_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
/** Most message ids one opt-out may list as declined. */
export const MAX_DECLINED_IDS = 512;

/**
 * The recipient of broadcasts asks their sender to stop sending them. `declined` lists
 * broadcast copies that arrived after the recipient had opted out and were dropped unread, so
 * the sender can show them as cancelled although their receipt came.
 */
export interface OptOutControl {
  kind: 'opt-out';
  declined?: string[];
}

/** The recipient of broadcasts asks their sender to send them again. */
export interface OptInControl {
  kind: 'opt-in';
}

/**
 * The sender's profile: its current card (which signs the display name), a status line and an
 * optional avatar as a data URL. An empty status clears it; a missing avatar removes it.
 */
export interface ProfileControl {
  kind: 'profile';
  card: WireCard;
  status: string;
  avatar?: string;
}

/** The sender scanned a list join link and asks to be filed in that list. */
export interface JoinControl {
  kind: 'join';
  list: string;
  token: string;
}

export type ControlMessage = OptOutControl | OptInControl | ProfileControl | JoinControl;

/**
 * Checks a control message that came from a peer and returns a copy holding only known fields.
 * The card of a profile is checked for shape here and for its signature by the receiver.
 * @throws FrameError naming the first invalid field.
 */
export function validateControl(value: unknown): ControlMessage {
  if (typeof value !== 'object' || value === null) throw new FrameError('control is not an object');

  const record = value as Record<string, unknown>;
  switch (record.kind) {
    case 'opt-out':
      return validateOptOut(record);
    case 'opt-in':
      return { kind: 'opt-in' };
    case 'profile':
      return validateProfile(record);
    case 'join':
      return validateJoin(record);
    default:
      throw new FrameError(`unknown control kind ${JSON.stringify(record.kind)}`);
  }
}

/** Tells whether `text` is an avatar the app accepts: a base64 JPEG, PNG or WebP data URL. */
export function isValidAvatarUrl(text: string): boolean {
  return text.length <= MAX_AVATAR_URL_LENGTH && AVATAR_URL_PATTERN.test(text);
}

function validateOptOut(record: Record<string, unknown>): OptOutControl {
  const { declined } = record;
  if (declined === undefined) return { kind: 'opt-out' };

  if (!Array.isArray(declined) || declined.length > MAX_DECLINED_IDS) throw new FrameError('opt-out declined ids are invalid');
  for (const id of declined) {
    if (typeof id !== 'string' || !MESSAGE_ID_PATTERN.test(id)) throw new FrameError('opt-out declined id is invalid');
  }

  return { kind: 'opt-out', declined: declined as string[] };
}

function validateProfile(record: Record<string, unknown>): ProfileControl {
  const { card, status, avatar } = record;

  if (typeof card !== 'object' || card === null) throw new FrameError('profile card is missing');
  if (typeof status !== 'string' || status.length > MAX_PROFILE_STATUS_LENGTH) throw new FrameError('profile status is invalid');
  if (avatar !== undefined && (typeof avatar !== 'string' || !isValidAvatarUrl(avatar))) {
    throw new FrameError('profile avatar is not a JPEG, PNG or WebP data URL within the size limit');
  }

  return { kind: 'profile', card: card as WireCard, status, ...(avatar !== undefined && { avatar }) };
}

function validateJoin(record: Record<string, unknown>): JoinControl {
  const { list, token } = record;

  if (typeof list !== 'string' || !LIST_ID_PATTERN.test(list)) throw new FrameError('join list id is invalid');
  if (typeof token !== 'string' || !TOKEN_PATTERN.test(token)) throw new FrameError('join token is invalid');

  return { kind: 'join', list, token };
}
