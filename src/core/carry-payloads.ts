/**
 * Session payloads of store-and-forward through other peers (see peer-courier.ts). Each side of
 * a new link sends `carry-status`, telling whether it carries for the other. A `carry` offer
 * hands a sealed envelope to a peer, which either is its recipient or may carry it; the peer
 * replies with a `carry-result` naming the same `ref`.
 */

import { FrameError } from './errors.ts';

/** Maximum size of a carried envelope, so that its offer fits one 64 KiB session frame in base64url. */
export const MAX_CARRIED_ENVELOPE_BYTES = 44 * 1024;
/** Upper bound of the hop count field; the carry policy allows far fewer hops. */
const MAX_HOP_FIELD = 255;

const REF_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
/** A routing tag: 16 bytes in base64url. */
const TAG_PATTERN = /^[A-Za-z0-9_-]{22}$/;
const BASE64URL_PATTERN = /^[A-Za-z0-9_-]+$/;

/** Reasons a peer gives for not taking an envelope. */
export type CarryRejection =
  | 'not-carrying'
  | 'unknown-recipient'
  | 'quota-exceeded'
  | 'hop-limit'
  | 'expired'
  | 'too-large'
  | 'invalid'
  | 'failed';

/**
 * Fate of an offer: the recipient stored its content (`delivered`), a carrier stored it
 * (`carried`) or already held the same bytes (`duplicate`), or it was rejected.
 */
export type CarryOutcome = 'delivered' | 'carried' | 'duplicate' | CarryRejection;

const OUTCOMES: ReadonlySet<string> = new Set<CarryOutcome>([
  'delivered',
  'carried',
  'duplicate',
  'not-carrying',
  'unknown-recipient',
  'quota-exceeded',
  'hop-limit',
  'expired',
  'too-large',
  'invalid',
  'failed',
]);

/** A sealed envelope handed to a peer. Everything but `envelope` is readable by that peer. */
export interface CarryOfferPayload {
  t: 'carry';
  /** Random id that the result names. */
  ref: string;
  /** Routing tag of the recipient (`carryTag`). */
  tag: string;
  /** Time after which carriers drop the envelope, in ms since the epoch. */
  expiresAt: number;
  /** Hand-overs of this envelope so far, this one included: 1 from its sender. */
  hops: number;
  /** The sealed envelope in base64url. */
  envelope: string;
}

export interface CarryResultPayload {
  t: 'carry-result';
  ref: string;
  outcome: CarryOutcome;
}

/** Whether the sender carries envelopes that the receiver hands over; sent when a link is ready. */
export interface CarryStatusPayload {
  t: 'carry-status';
  carrying: boolean;
}

export type CarryPayload = CarryOfferPayload | CarryResultPayload | CarryStatusPayload;

/** Tells whether a decoded payload belongs to store-and-forward through peers. */
export function isCarryPayload(payload: { t: string }): payload is CarryPayload {
  return payload.t === 'carry' || payload.t === 'carry-result' || payload.t === 'carry-status';
}

/**
 * Validates a carry payload decoded from JSON.
 * @throws FrameError naming the first invalid field.
 */
export function validateCarryPayload(record: Record<string, unknown>): CarryPayload {
  if (record.t === 'carry-status') {
    if (typeof record.carrying !== 'boolean') throw new FrameError('carry status is invalid');

    return { t: 'carry-status', carrying: record.carrying };
  }

  const { ref } = record;
  if (typeof ref !== 'string' || !REF_PATTERN.test(ref)) throw new FrameError('carry ref is invalid');

  if (record.t === 'carry-result') {
    const { outcome } = record;
    if (typeof outcome !== 'string' || !OUTCOMES.has(outcome)) throw new FrameError('carry outcome is invalid');

    return { t: 'carry-result', ref, outcome: outcome as CarryOutcome };
  }

  const { tag, expiresAt, hops, envelope } = record;
  const maxEncodedLength = Math.ceil((MAX_CARRIED_ENVELOPE_BYTES * 4) / 3);
  if (typeof tag !== 'string' || !TAG_PATTERN.test(tag)) throw new FrameError('carry tag is invalid');
  if (typeof expiresAt !== 'number' || !Number.isSafeInteger(expiresAt)) throw new FrameError('carry expiry is invalid');
  if (typeof hops !== 'number' || !Number.isSafeInteger(hops) || hops < 1 || hops > MAX_HOP_FIELD) {
    throw new FrameError('carry hop count is invalid');
  }
  if (typeof envelope !== 'string' || !BASE64URL_PATTERN.test(envelope)) throw new FrameError('carry envelope is invalid');
  if (envelope.length > maxEncodedLength) throw new FrameError(`carry envelope exceeds ${MAX_CARRIED_ENVELOPE_BYTES} bytes`);

  return { t: 'carry', ref, tag, expiresAt, hops, envelope };
}
