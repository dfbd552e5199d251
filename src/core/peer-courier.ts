/**
 * Store-and-forward through other peers. When a recipient stays unreachable, the sender hands a
 * sealed envelope (crypto/envelope.ts) to a carrier: a contact online now who allows carrying.
 * The carrier hands it on when it next meets the recipient. The recipient stores it and sends
 * the receipt directly, back through the carrier, or through the mailbox. A carrier keeps each
 * envelope durably until it is delivered or expires. The recipient de-duplicates on the authenticated
 * message inside, so a copy that also comes by mailbox or directly is stored once.
 *
 * This module replies to offers and hands carried envelopes on; carry-sender.ts finds carriers for
 * the user's own messages, and carry-policy.ts decides what a carrier takes.
 */

import type { Card, WireCard } from './card.ts';
import { cardFromContact } from './contact-cards.ts';
import { CarryOffers, sealForCarrying } from './carry-offers.ts';
import type { CarryOfferPayload, CarryOutcome, CarryPayload } from './carry-payloads.ts';
import type { CarryCircle, CarryPolicyOptions } from './carry-policy.ts';
import { carriesFor, DEFAULT_CARRY_QUOTA, takeForCarrying } from './carry-policy.ts';
import { CarrySender } from './carry-sender.ts';
import type { CarryQuota, CarryStore } from './carry-store-port.ts';
import { carryTag } from './carry-store-port.ts';
import { fromBase64Url, toBase64Url } from './bytes.ts';
import { DEFAULT_ENVELOPE_TTL_MS } from './crypto/envelope.ts';
import { readInboundEnvelope } from './inbound-envelope.ts';
import { recordSkippedBefore } from './skipped-before.ts';
import type { Identity } from './identity.ts';
import type { InboxResult } from './inbox.ts';
import type { AckPayload, ChatPayload, WirePayload } from './messages.ts';
import type { PeerLink } from './peer-link.ts';
import type { Clock, Logger, RandomBytes } from './ports.ts';
import type { CoreStorage } from './storage-port.ts';

/** Carried envelopes offered to a recipient at once, so a full quota does not flood the link. */
const MAX_OFFERS_IN_FLIGHT = 16;
/** Interval of the maintenance that deletes expired carried envelopes and retries handing on. */
export const CARRY_SWEEP_INTERVAL_MS = 60_000;

/** Counters of the carrying traffic, for tests and the debugging handle. */
export interface CarryStats {
  /** Own messages a carrier took. */
  handedOver: number;
  /** Envelopes this user took for others. */
  carried: number;
  /** Carried envelopes this user handed on to their recipient. */
  handedOn: number;
  /** Own offers that peers rejected, by any reason. */
  rejectedOffers: number;
  /** Expired carried envelopes deleted by the sweep. */
  expired: number;
}

/** Services of the messenger that owns the peer courier. */
export interface PeerCourierHost {
  identity(): Identity;
  ownCard(): WireCard;
  readyLinks(): PeerLink[];
  isOnline(address: string): boolean;
  dial(address: string): Promise<void>;
  storeChat(card: Card, payload: ChatPayload): Promise<InboxResult>;
  /** Sends a payload over a ready direct link; returns false when there is none. */
  sendDirect(address: string, payload: WirePayload): boolean;
  /** Sends receipts through the mailbox. @throws when the mailbox is missing or fails. */
  acknowledgeByMailbox(sender: Card, ids: string[]): Promise<void>;
  countRejectedEnvelope(): void;
}

export interface PeerCourierOptions {
  storage: CoreStorage;
  store: CarryStore;
  clock: Clock;
  randomBytes: RandomBytes;
  logger: Logger;
  host: PeerCourierHost;
  quota?: CarryQuota;
  replyTimeoutMs?: number;
}

export class PeerCourier {
  readonly stats: CarryStats = { handedOver: 0, carried: 0, handedOn: 0, rejectedOffers: 0, expired: 0 };
  #options: PeerCourierOptions;
  #circle: CarryCircle | undefined;
  #offers: CarryOffers;
  #sender: CarrySender;
  #handingOn = new WeakMap<PeerLink, Promise<void>>();
  /** Offers of each link, answered one after another so that carried messages keep their order. */
  #answering = new WeakMap<PeerLink, Promise<void>>();
  #lastSweepAt = Number.NEGATIVE_INFINITY;
  /** Last `receivedAt` given to a carried envelope; each new one is later, so ties cannot reorder them. */
  #lastReceivedAt = 0;

  constructor(options: PeerCourierOptions) {
    const { storage, clock, randomBytes, logger, host } = options;

    this.#options = options;
    this.#offers = new CarryOffers(randomBytes, options.replyTimeoutMs);
    this.#sender = new CarrySender({ storage, clock, randomBytes, logger, host, offers: this.#offers, circle: () => this.#circle, stats: this.stats });
  }

  /** Registers peers beyond contacts to carry for and through (members of a shared group). */
  registerCircle(circle: CarryCircle): void {
    this.#circle = circle;
  }

  async loadCarryForContacts(): Promise<boolean> {
    return (await this.#options.store.loadSettings()).carryForContacts;
  }

  async saveCarryForContacts(isEnabled: boolean): Promise<void> {
    await this.#options.store.saveSettings({ carryForContacts: isEnabled });
    await this.announceAll();
  }

  /** Tells every linked peer whether this user carries for it; call when that may have changed. */
  async announceAll(): Promise<void> {
    for (const link of this.#options.host.readyLinks()) await this.#announce(link);
  }

  /** Handles a carry payload from a ready link. Offers get their reply in the background. */
  handlePayload(link: PeerLink, payload: CarryPayload): void {
    if (payload.t === 'carry-result') {
      this.#offers.settle(link, payload);
      return;
    }
    if (payload.t === 'carry-status') {
      void this.#sender.setCarrierStatus(link, payload.carrying);
      return;
    }

    const previous = this.#answering.get(link) ?? Promise.resolve();
    const answered = previous
      .then(() => this.#answerOffer(link, payload))
      .catch((error: unknown) => {
        this.#options.logger.error('replying to a carry offer failed', { peer: link.remoteAddress.slice(0, 12), error: String(error) });
      });
    this.#answering.set(link, answered);
  }

  /**
   * Tells a peer that just linked whether this user carries for it, and hands it the envelopes
   * carried for it. Waiting messages are offered once the peer says it carries.
   */
  async linkReady(link: PeerLink): Promise<void> {
    try {
      await this.#announce(link);
      await this.handOn(link);
    } catch (error) {
      this.#options.logger.warn('carrying on a new link failed', { peer: link.remoteAddress.slice(0, 12), error: String(error) });
    }
  }

  /** Offers waiting messages of a conversation to carriers; see CarrySender.handOver. */
  handOver(conversation: string): Promise<void> {
    return this.#sender.handOver(conversation);
  }

  /** Tells whether the mailbox should take the conversation's waiting messages now. */
  isMailboxDue(conversation: string): Promise<boolean> {
    return this.#sender.isMailboxDue(conversation);
  }

  /**
   * Hands the envelopes carried for a linked peer to it, and deletes each one that the peer
   * stored or can never open. Concurrent calls for one link share a run.
   */
  handOn(link: PeerLink): Promise<void> {
    const running = this.#handingOn.get(link);
    if (running) return running.then(() => this.handOn(link));

    const run = this.#handOnNow(link).finally(() => this.#handingOn.delete(link));
    this.#handingOn.set(link, run);

    return run;
  }

  /**
   * Deletes expired carried envelopes and offers the rest again to linked recipients, whose
   * storage may have failed before. Runs at most once per CARRY_SWEEP_INTERVAL_MS.
   */
  async maintain(): Promise<void> {
    const now = this.#options.clock.now();
    if (now - this.#lastSweepAt < CARRY_SWEEP_INTERVAL_MS) return;

    this.#lastSweepAt = now;
    await this.sweepExpired();
    for (const link of this.#options.host.readyLinks()) {
      void this.handOn(link).catch((error: unknown) => {
        this.#options.logger.warn('handing on carried envelopes failed', { peer: link.remoteAddress.slice(0, 12), error: String(error) });
      });
    }
  }

  /**
   * Dials each of these peers that has carried envelopes waiting. A carrier has no outbox entry
   * for them, so without this a dial that failed once would not be tried again until the
   * recipient's presence changed.
   */
  async dialRecipients(addresses: string[]): Promise<void> {
    const { store, clock, host } = this.#options;
    const now = clock.now();

    for (const address of addresses) {
      if ((await store.listForTag(carryTag(address), now)).length > 0) await host.dial(address);
    }
  }

  /** Deletes the carried envelopes that have expired and returns how many. */
  async sweepExpired(): Promise<number> {
    const count = await this.#options.store.deleteExpired(this.#options.clock.now());
    this.stats.expired += count;
    if (count > 0) this.#options.logger.info('expired carried envelopes deleted', { count });

    return count;
  }

  async #announce(link: PeerLink): Promise<void> {
    const carrying = await carriesFor(this.#policyOptions(), link.remoteAddress);

    link.send({ t: 'carry-status', carrying });
  }

  #policyOptions(): CarryPolicyOptions {
    const { storage, store, logger, quota } = this.#options;

    return { storage, store, logger, quota: quota ?? DEFAULT_CARRY_QUOTA, circle: () => this.#circle };
  }

  async #handOnNow(link: PeerLink): Promise<void> {
    const { store, clock, logger } = this.#options;
    const carried = await store.listForTag(carryTag(link.remoteAddress), clock.now());
    if (carried.length === 0) return;

    const outcomes: (CarryOutcome | undefined)[] = [];
    for (let start = 0; start < carried.length && link.isReady; start += MAX_OFFERS_IN_FLIGHT) {
      const batch = carried.slice(start, start + MAX_OFFERS_IN_FLIGHT);
      const offered = batch.map((row) =>
        this.#offers.send(link, { tag: row.tag, expiresAt: row.expiresAt, hops: row.hops + 1, envelope: toBase64Url(row.envelope) }),
      );
      outcomes.push(...(await Promise.all(offered)));
    }
    // A lost reply or a storage failure at the recipient means the envelope must be offered again.
    const finished = carried.filter((_, index) => outcomes[index] !== undefined && outcomes[index] !== 'failed').map((row) => row.key);
    this.stats.handedOn += outcomes.filter((outcome) => outcome === 'delivered').length;
    if (finished.length > 0) await store.delete(finished);
    logger.info('carried envelopes handed on', { peer: link.remoteAddress.slice(0, 12), offered: carried.length, finished: finished.length });
  }

  async #answerOffer(link: PeerLink, offer: CarryOfferPayload): Promise<void> {
    const isForMe = offer.tag === carryTag(this.#options.host.identity().address);
    const outcome = isForMe
      ? await this.#receive(link, offer)
      : await this.#take(link, offer);

    link.send({ t: 'carry-result', ref: offer.ref, outcome });
    if (outcome !== 'carried') return;

    this.stats.carried++;
    const recipientLink = this.#options.host.readyLinks().find((ready) => carryTag(ready.remoteAddress) === offer.tag);
    // Not awaited: the next offer on this link must not wait for the recipient's reply.
    if (recipientLink) {
      void this.handOn(recipientLink).catch((error: unknown) => {
        this.#options.logger.warn('handing on carried envelopes failed', { peer: recipientLink.remoteAddress.slice(0, 12), error: String(error) });
      });
    }
  }

  #take(link: PeerLink, offer: CarryOfferPayload): Promise<CarryOutcome> {
    const now = this.#options.clock.now();
    this.#lastReceivedAt = Math.max(now, this.#lastReceivedAt + 1);

    return takeForCarrying(this.#policyOptions(), link.remoteAddress, offer, now, this.#lastReceivedAt);
  }

  /** Opens an envelope carried to this user, stores the message inside and acknowledges it. */
  async #receive(link: PeerLink, offer: CarryOfferPayload): Promise<CarryOutcome> {
    const { storage, host, clock, logger } = this.#options;
    const contacts = new Map((await storage.listContacts()).map((contact) => [contact.address, cardFromContact(contact)]));
    const inbound = readInboundEnvelope(host.identity(), fromBase64Url(offer.envelope), clock.now(), (address) => contacts.get(address));

    if (inbound.kind === 'invalid') {
      host.countRejectedEnvelope();
      logger.warn('carried envelope rejected', { carrier: link.remoteAddress.slice(0, 12), error: inbound.reason });
      return 'invalid';
    }
    if (inbound.kind === 'ack') {
      try {
        await storage.markDelivered(inbound.sender.address, inbound.ids);
      } catch (error) {
        logger.warn('storing a carried receipt failed', { peer: inbound.sender.address.slice(0, 12), error: String(error) });
        return 'failed';
      }
      return 'delivered';
    }

    const { sender, payload } = inbound;
    const result = await host.storeChat(sender, payload);
    if (result === 'failed') return 'failed';
    if (result !== 'blocked') {
      try {
        await recordSkippedBefore(storage, sender.address, payload);
      } catch (error) {
        // The carrier keeps the envelope and offers it again, which stores a duplicate and records the seqs again.
        logger.warn('recording skipped seqs failed', { peer: sender.address.slice(0, 12), error: String(error) });
        return 'failed';
      }
    }
    if (result !== 'blocked') void this.#acknowledge(sender, [payload.id], link);

    return 'delivered';
  }

  /** Sends receipts directly, else through the carrier the message came from, else the mailbox. */
  async #acknowledge(sender: Card, ids: string[], carrier: PeerLink): Promise<void> {
    const { host, logger, clock, randomBytes } = this.#options;
    const ack: AckPayload = { t: 'ack', ids };
    if (host.sendDirect(sender.address, ack)) return;

    try {
      if (carrier.isReady && carrier.remoteAddress !== sender.address) {
        const now = clock.now();
        const contents = { recipientBoxKey: sender.boxPublicKey, payload: ack, id: toBase64Url(randomBytes(16)), seq: 0, createdAt: now };
        const envelope = sealForCarrying(host.identity(), host.ownCard(), contents, randomBytes);
        const outcome = await this.#offers.send(carrier, { tag: carryTag(sender.address), expiresAt: now + DEFAULT_ENVELOPE_TTL_MS, hops: 1, envelope });
        if (outcome === 'carried' || outcome === 'duplicate') return;
      }
      await host.acknowledgeByMailbox(sender, ids);
    } catch (error) {
      // The message is stored; the sender learns of it from a later receipt or resend.
      logger.warn('carried receipt not sent', { peer: sender.address.slice(0, 12), error: String(error) });
    }
  }
}
