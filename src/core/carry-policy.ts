/**
 * The carrier's side of store-and-forward through peers: whether to take an envelope that a
 * peer hands over for someone else, and storing it within that peer's quota. The carrier sees
 * only the routing tag, the expiry, the hop count and the size; it cannot open the envelope.
 */

import type { CarryOfferPayload, CarryOutcome } from './carry-payloads.ts';
import { MAX_CARRIED_ENVELOPE_BYTES } from './carry-payloads.ts';
import type { CarryQuota, CarryStore } from './carry-store-port.ts';
import { carriedEnvelopeKey, CarrierQuotaError, carryTag } from './carry-store-port.ts';
import { fromBase64Url } from './bytes.ts';
import { DEFAULT_ENVELOPE_TTL_MS, ENVELOPE_KIND, MAX_CLOCK_SKEW_MS } from './crypto/envelope.ts';
import { PROTOCOL_VERSION } from './crypto/frame-codec.ts';
import type { Logger } from './ports.ts';
import type { CoreStorage } from './storage-port.ts';

/**
 * Maximum hand-overs of one envelope, the one to its recipient included. At 2 only the sender
 * hands an envelope to a carrier, and a carrier hands it only to its recipient.
 */
export const MAX_CARRY_HOPS = 2;

/** Limits of what one peer may leave with a carrier: 200 envelopes and 2 MiB. */
export const DEFAULT_CARRY_QUOTA: CarryQuota = { maxEnvelopes: 200, maxBytes: 2 * 1024 * 1024 };

/** Smallest well-formed envelope: two header bytes, an ephemeral key and a secretbox tag. */
const MIN_ENVELOPE_BYTES = 2 + 32 + 16;

/**
 * Peers beyond the user's contacts to carry for and through, such as members of a shared
 * group. The messenger consults the registered circle next to the contact list.
 */
export interface CarryCircle {
  /** Addresses of peers, besides contacts, that may carry envelopes for `recipient`. */
  carriersFor(recipient: string): Promise<string[]>;
  /** Tells whether this user carries what `peer` hands over although `peer` is no contact. */
  carriesFor(peer: string): Promise<boolean>;
  /** Addresses of peers, besides contacts, to whom this user can deliver carried envelopes. */
  recipients(): Promise<string[]>;
}

export interface CarryPolicyOptions {
  storage: CoreStorage;
  store: CarryStore;
  logger: Logger;
  quota: CarryQuota;
  circle(): CarryCircle | undefined;
}

/**
 * Decides on an offer from `handedBy` for someone else and stores the envelope when it takes it.
 * `receivedAt` orders the envelopes handed on later, so it must grow with each offer; it defaults
 * to `now`. Returns 'carried' or 'duplicate' when it holds the envelope, else the reason it does not.
 */
export async function takeForCarrying(
  options: CarryPolicyOptions,
  handedBy: string,
  offer: CarryOfferPayload,
  now: number,
  receivedAt = now,
): Promise<CarryOutcome> {
  const { store, logger, quota } = options;

  if (!(await carriesFor(options, handedBy))) return 'not-carrying';
  if (offer.hops >= MAX_CARRY_HOPS) return 'hop-limit';
  if (offer.expiresAt <= now) return 'expired';
  if (offer.expiresAt > now + DEFAULT_ENVELOPE_TTL_MS + MAX_CLOCK_SKEW_MS) return 'invalid';
  if (offer.tag === carryTag(handedBy)) return 'invalid';
  if (!(await knowsRecipient(options, offer.tag))) return 'unknown-recipient';

  let envelope: Uint8Array;
  try {
    envelope = fromBase64Url(offer.envelope);
  } catch {
    return 'invalid';
  }
  if (envelope.length > MAX_CARRIED_ENVELOPE_BYTES) return 'too-large';
  if (envelope.length < MIN_ENVELOPE_BYTES || envelope[0] !== PROTOCOL_VERSION || envelope[1] !== ENVELOPE_KIND) return 'invalid';

  try {
    const key = carriedEnvelopeKey(envelope);
    const stored = await store.add({ key, tag: offer.tag, handedBy, hops: offer.hops, expiresAt: offer.expiresAt, receivedAt, envelope }, quota);

    return stored === 'stored' ? 'carried' : 'duplicate';
  } catch (error) {
    if (error instanceof CarrierQuotaError) {
      logger.info('carry quota full', { peer: handedBy.slice(0, 12) });
      return 'quota-exceeded';
    }
    logger.warn('storing a carried envelope failed', { peer: handedBy.slice(0, 12), error: String(error) });
    return 'failed';
  }
}

/** Tells whether this user carries envelopes that `peer` hands over. */
export async function carriesFor(options: Omit<CarryPolicyOptions, 'logger' | 'quota'>, peer: string): Promise<boolean> {
  const contact = await options.storage.getContact(peer);
  if (contact?.state === 'blocked') return false;

  if (contact?.state === 'contact' && (await options.store.loadSettings()).carryForContacts) return true;

  return (await options.circle()?.carriesFor(peer)) ?? false;
}

async function knowsRecipient(options: CarryPolicyOptions, tag: string): Promise<boolean> {
  const contacts = await options.storage.listContacts();
  if (contacts.some((contact) => contact.state !== 'blocked' && carryTag(contact.address) === tag)) return true;

  const circleRecipients = (await options.circle()?.recipients()) ?? [];

  return circleRecipients.some((address) => carryTag(address) === tag);
}
