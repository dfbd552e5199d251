/**
 * Offers of sealed envelopes to peers (see peer-courier.ts): each offer waits for the
 * `carry-result` that names its ref, or for CARRY_REPLY_TIMEOUT_MS.
 */

import { toBase64Url } from './bytes.ts';
import type { CarryOfferPayload, CarryOutcome, CarryResultPayload } from './carry-payloads.ts';
import type { WireCard } from './card.ts';
import { DEFAULT_ENVELOPE_TTL_MS, sealEnvelope } from './crypto/envelope.ts';
import type { Identity } from './identity.ts';
import type { WirePayload } from './messages.ts';
import { encodePayload } from './messages.ts';
import type { PeerLink } from './peer-link.ts';
import type { RandomBytes } from './ports.ts';

/** Time to wait for the reply to an offer before treating it as lost. */
export const CARRY_REPLY_TIMEOUT_MS = 10_000;

interface PendingOffer {
  peer: string;
  resolve(outcome: CarryOutcome | undefined): void;
}

export class CarryOffers {
  #randomBytes: RandomBytes;
  #replyTimeoutMs: number;
  #pending = new Map<string, PendingOffer>();

  constructor(randomBytes: RandomBytes, replyTimeoutMs = CARRY_REPLY_TIMEOUT_MS) {
    this.#randomBytes = randomBytes;
    this.#replyTimeoutMs = replyTimeoutMs;
  }

  /** Sends an offer and resolves with the reply, or undefined when none comes in time. */
  send(link: PeerLink, fields: Omit<CarryOfferPayload, 't' | 'ref'>): Promise<CarryOutcome | undefined> {
    const ref = toBase64Url(this.#randomBytes(12));

    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(undefined), this.#replyTimeoutMs);
      const finish = (outcome: CarryOutcome | undefined): void => {
        clearTimeout(timer);
        this.#pending.delete(ref);
        resolve(outcome);
      };
      this.#pending.set(ref, { peer: link.remoteAddress, resolve: finish });
      if (!link.send({ t: 'carry', ref, ...fields })) finish(undefined);
    });
  }

  /** Settles the offer a result names, when it came from the peer that offer went to. */
  settle(link: PeerLink, result: CarryResultPayload): void {
    const pending = this.#pending.get(result.ref);

    if (pending?.peer === link.remoteAddress) pending.resolve(result.outcome);
  }
}

/** Fields of an envelope to seal for carrying; see EnvelopeContents. */
export interface CarriedContents {
  recipientBoxKey: Uint8Array;
  payload: WirePayload;
  id: string;
  seq: number;
  createdAt: number;
}

/** Seals a payload for carrying, with the default time to live, and returns it in base64url. */
export function sealForCarrying(identity: Identity, ownCard: WireCard, contents: CarriedContents, randomBytes: RandomBytes): string {
  const { recipientBoxKey, payload, id, seq, createdAt } = contents;
  const envelope = sealEnvelope(
    identity,
    ownCard,
    recipientBoxKey,
    { id, instance: identity.instanceId, seq, createdAt, ttlMs: DEFAULT_ENVELOPE_TTL_MS, payload: encodePayload(payload) },
    randomBytes,
  );

  return toBase64Url(envelope);
}
