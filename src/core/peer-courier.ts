/**
 * Store-and-forward through other peers. When a recipient stays unreachable, the sender hands a
 * sealed envelope (crypto/envelope.ts) to a carrier: a contact online now who allows carrying.
 * The carrier hands it on when it next meets the recipient. The recipient stores it and sends
 * the receipt directly, back through the carrier, or through the mailbox. A carrier keeps each envelope
 * durably until it is delivered or expires. The recipient de-duplicates on the authenticated
 * message inside, so a copy that also comes by mailbox or directly is stored once.
 */

import type { Card, WireCard } from './card.ts';
import { cardFromContact } from './contact-cards.ts';
import type { CarryOfferPayload, CarryOutcome, CarryPayload } from './carry-payloads.ts';
import { MAX_CARRIED_ENVELOPE_BYTES } from './carry-payloads.ts';
import type { CarryCircle } from './carry-policy.ts';
import type { CarryPolicyOptions } from './carry-policy.ts';
import { carriesFor, DEFAULT_CARRY_QUOTA, takeForCarrying } from './carry-policy.ts';
import type { CarryQuota, CarryStore } from './carry-store-port.ts';
import { carryTag } from './carry-store-port.ts';
import { fromBase64Url, toBase64Url } from './bytes.ts';
import { DEFAULT_ENVELOPE_TTL_MS, openEnvelope, sealEnvelope } from './crypto/envelope.ts';
import type { Identity } from './identity.ts';
import type { InboxResult } from './inbox.ts';
import type { AckPayload, ChatPayload, WirePayload } from './messages.ts';
import { decodePayload, encodePayload, MAX_ACK_IDS } from './messages.ts';
import type { PeerLink } from './peer-link.ts';
import type { Clock, Logger, RandomBytes } from './ports.ts';
import type { CoreStorage, MessageRecord } from './storage-port.ts';

/** Time to wait for the reply to an offer before treating it as lost. */
export const CARRY_REPLY_TIMEOUT_MS = 10_000;
/** Time carriers get to take waiting messages before the mailbox does. */
export const CARRIER_SEARCH_TIMEOUT_MS = 10_000;
/** Time a peer that rejected an offer is not asked again for the same recipient. */
export const CARRIER_RETRY_DELAY_MS = 10 * 60 * 1000;
/** Interval at which expired carried envelopes are deleted. */
export const CARRY_SWEEP_INTERVAL_MS = 60_000;
/**
 * Time after which a message that a carrier holds without a receipt goes to the mailbox as
 * well, in case the carrier never meets the recipient.
 */
export const CARRIED_MAILBOX_DELAY_MS = 60 * 60 * 1000;
/** Online contacts dialled at once in search of a carrier. */
const MAX_CARRIERS_DIALLED = 3;

/**
 * Tells whether an outgoing message should go to the mailbox: no mailbox or carrier holds it,
 * or a carrier has held it for CARRIED_MAILBOX_DELAY_MS without a receipt coming back.
 */
export function isDueForMailbox(message: MessageRecord, now: number): boolean {
  if (message.mailboxedAt !== undefined) return false;

  return message.carriedAt === undefined || now - message.carriedAt >= CARRIED_MAILBOX_DELAY_MS;
}

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

interface PendingOffer {
  peer: string;
  resolve(outcome: CarryOutcome | undefined): void;
}

interface SealedMessage {
  envelope: string;
  expiresAt: number;
}

export class PeerCourier {
  readonly stats: CarryStats = { handedOver: 0, carried: 0, handedOn: 0, rejectedOffers: 0, expired: 0 };
  #options: PeerCourierOptions;
  #circle: CarryCircle | undefined;
  #pending = new Map<string, PendingOffer>();
  /** Envelopes sealed for waiting messages, reused so that carriers see the same bytes again. */
  #sealed = new Map<string, SealedMessage>();
  /** Offers on their way, keyed by carrier and message id, so none is made twice at once. */
  #offering = new Set<string>();
  /** Until when a peer is not asked again to carry for a recipient, keyed by both addresses. */
  #rejectedUntil = new Map<string, number>();
  /** First time the courier looked for a carrier for each conversation. */
  #searchSince = new Map<string, number>();
  #handingOn = new WeakMap<PeerLink, Promise<void>>();
  /** Whether the peer of each link said it carries for this user; offers go only where it did. */
  #carrierStatus = new WeakMap<PeerLink, boolean>();
  #lastSweepAt = Number.NEGATIVE_INFINITY;

  constructor(options: PeerCourierOptions) {
    this.#options = options;
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
      const pending = this.#pending.get(payload.ref);
      if (pending?.peer === link.remoteAddress) pending.resolve(payload.outcome);
      return;
    }
    if (payload.t === 'carry-status') {
      this.#carrierStatus.set(link, payload.carrying);
      if (payload.carrying) void this.#offerWaiting(link);
      return;
    }

    void this.#answerOffer(link, payload).catch((error: unknown) => {
      this.#options.logger.error('replying to a carry offer failed', { peer: link.remoteAddress.slice(0, 12), error: String(error) });
    });
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

  /**
   * Offers the messages of a conversation that no mailbox or carrier holds yet to every ready
   * carrier, and dials online contacts when no carrier is linked.
   */
  async handOver(conversation: string): Promise<void> {
    const { storage, clock } = this.#options;
    const now = clock.now();
    const contact = await storage.getContact(conversation);
    if (!contact || contact.state === 'blocked') return;

    const waiting = (await storage.listOutbox(conversation)).filter((message) => message.mailboxedAt === undefined && message.carriedAt === undefined);
    if (waiting.length === 0) {
      this.#searchSince.delete(conversation);
      return;
    }
    if (!this.#searchSince.has(conversation)) this.#searchSince.set(conversation, now);

    const carriers = await this.#readyCarriers(conversation, now);
    if (carriers.length === 0) {
      await this.#dialCarriers(conversation, now);
      return;
    }

    const recipient = cardFromContact(contact);
    await Promise.all(waiting.map((message) => this.#offerMessage(recipient, message, carriers)));
  }

  /**
   * Tells whether waiting messages of a conversation should go to the mailbox now: no carrier is
   * linked or online, or carriers had CARRIER_SEARCH_TIMEOUT_MS to take them.
   */
  async isMailboxDue(conversation: string): Promise<boolean> {
    const now = this.#options.clock.now();
    const since = this.#searchSince.get(conversation);
    if (since === undefined || now - since >= CARRIER_SEARCH_TIMEOUT_MS) return true;

    return (await this.#readyCarriers(conversation, now)).length === 0 && (await this.#onlineCandidates(conversation, now)).length === 0;
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

  /** Deletes expired carried envelopes, at most once per CARRY_SWEEP_INTERVAL_MS unless forced. */
  async sweepExpired({ isForced = false }: { isForced?: boolean } = {}): Promise<number> {
    const now = this.#options.clock.now();
    if (!isForced && now - this.#lastSweepAt < CARRY_SWEEP_INTERVAL_MS) return 0;

    this.#lastSweepAt = now;
    const count = await this.#options.store.deleteExpired(now);
    this.stats.expired += count;
    if (count > 0) this.#options.logger.info('expired carried envelopes deleted', { count });

    return count;
  }

  async #announce(link: PeerLink): Promise<void> {
    const carrying = await carriesFor(this.#policyOptions(), link.remoteAddress);

    link.send({ t: 'carry-status', carrying });
  }

  /** Offers a new carrier the messages of every conversation that is looking for one. */
  async #offerWaiting(link: PeerLink): Promise<void> {
    try {
      for (const conversation of this.#searchSince.keys()) {
        if (conversation !== link.remoteAddress) await this.handOver(conversation);
      }
    } catch (error) {
      this.#options.logger.warn('offering waiting messages failed', { carrier: link.remoteAddress.slice(0, 12), error: String(error) });
    }
  }

  #policyOptions(): CarryPolicyOptions {
    const { storage, store, logger, quota } = this.#options;

    return { storage, store, logger, quota: quota ?? DEFAULT_CARRY_QUOTA, circle: () => this.#circle };
  }

  async #handOnNow(link: PeerLink): Promise<void> {
    const { store, clock, logger } = this.#options;
    const carried = await store.listForTag(carryTag(link.remoteAddress), clock.now());
    if (carried.length === 0) return;

    const outcomes = await Promise.all(
      carried.map((row) =>
        this.#offer(link, { tag: row.tag, expiresAt: row.expiresAt, hops: row.hops + 1, envelope: toBase64Url(row.envelope) }),
      ),
    );
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
      : await takeForCarrying(this.#policyOptions(), link.remoteAddress, offer, this.#options.clock.now());

    link.send({ t: 'carry-result', ref: offer.ref, outcome });
    if (outcome !== 'carried') return;

    this.stats.carried++;
    const recipientLink = this.#options.host.readyLinks().find((ready) => carryTag(ready.remoteAddress) === offer.tag);
    if (recipientLink) await this.handOn(recipientLink);
  }

  /** Opens an envelope carried to this user, stores what it holds and acknowledges it. */
  async #receive(link: PeerLink, offer: CarryOfferPayload): Promise<CarryOutcome> {
    const { storage, host, clock, logger } = this.#options;
    const contacts = new Map((await storage.listContacts()).map((contact) => [contact.address, cardFromContact(contact)]));
    let sender: Card;
    let payload: WirePayload;
    let envelopeId: string;

    try {
      const opened = openEnvelope(host.identity(), fromBase64Url(offer.envelope), clock.now(), (address) => contacts.get(address));
      sender = opened.sender;
      envelopeId = opened.id;
      payload = decodePayload(opened.payload);
    } catch (error) {
      host.countRejectedEnvelope();
      logger.warn('carried envelope rejected', { carrier: link.remoteAddress.slice(0, 12), error: String(error) });
      return 'invalid';
    }

    if (payload.t === 'ack') {
      try {
        await storage.markDelivered(sender.address, payload.ids.slice(0, MAX_ACK_IDS));
      } catch (error) {
        logger.warn('storing a carried receipt failed', { peer: sender.address.slice(0, 12), error: String(error) });
        return 'failed';
      }
      return 'delivered';
    }
    if (payload.t !== 'msg' || payload.id !== envelopeId) {
      host.countRejectedEnvelope();
      logger.warn('carried envelope payload does not match its header', { type: payload.t });
      return 'invalid';
    }

    const result = await host.storeChat(sender, payload);
    if (result === 'failed') return 'failed';
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
        const envelope = this.#seal(sender.boxPublicKey, ack, toBase64Url(randomBytes(16)), 0, now);
        const outcome = await this.#offer(carrier, { tag: carryTag(sender.address), expiresAt: now + DEFAULT_ENVELOPE_TTL_MS, hops: 1, envelope });
        if (outcome === 'carried' || outcome === 'duplicate') return;
      }
      await host.acknowledgeByMailbox(sender, ids);
    } catch (error) {
      // The message is stored; the sender learns of it from a later receipt or resend.
      logger.warn('carried receipt not sent', { peer: sender.address.slice(0, 12), error: String(error) });
    }
  }

  async #offerMessage(recipient: Card, message: MessageRecord, carriers: PeerLink[]): Promise<void> {
    const { storage, clock, logger } = this.#options;
    const sealed = this.#sealMessage(recipient, message);
    if (sealed.envelope.length > Math.ceil((MAX_CARRIED_ENVELOPE_BYTES * 4) / 3)) return;

    const offers = carriers
      .filter((carrier) => !this.#offering.has(`${carrier.remoteAddress}\n${message.id}`))
      .map(async (carrier) => {
        const key = `${carrier.remoteAddress}\n${message.id}`;
        this.#offering.add(key);
        try {
          const outcome = await this.#offer(carrier, { tag: carryTag(recipient.address), expiresAt: sealed.expiresAt, hops: 1, envelope: sealed.envelope });
          if (outcome === 'carried' || outcome === 'duplicate') return true;

          this.stats.rejectedOffers++;
          this.#rejectedUntil.set(`${carrier.remoteAddress}\n${recipient.address}`, clock.now() + CARRIER_RETRY_DELAY_MS);
          logger.info('carry offer rejected', { carrier: carrier.remoteAddress.slice(0, 12), outcome: outcome ?? 'no reply' });
          return false;
        } finally {
          this.#offering.delete(key);
        }
      });
    const accepted = (await Promise.all(offers)).some(Boolean);
    if (!accepted) return;

    this.stats.handedOver++;
    this.#sealed.delete(message.id);
    await storage.markCarried([message.id], clock.now());
  }

  #sealMessage(recipient: Card, message: MessageRecord): SealedMessage {
    const cached = this.#sealed.get(message.id);
    if (cached) return cached;

    const now = this.#options.clock.now();
    const payload: ChatPayload = { t: 'msg', id: message.id, instance: message.instance, seq: message.seq, sentAt: message.sentAt, text: message.text };
    const sealed = { envelope: this.#seal(recipient.boxPublicKey, payload, message.id, message.seq, now), expiresAt: now + DEFAULT_ENVELOPE_TTL_MS };
    this.#sealed.set(message.id, sealed);

    return sealed;
  }

  #seal(recipientBoxKey: Uint8Array, payload: WirePayload, id: string, seq: number, createdAt: number): string {
    const { host, randomBytes } = this.#options;
    const contents = { id, instance: host.identity().instanceId, seq, createdAt, ttlMs: DEFAULT_ENVELOPE_TTL_MS, payload: encodePayload(payload) };

    return toBase64Url(sealEnvelope(host.identity(), host.ownCard(), recipientBoxKey, contents, randomBytes));
  }

  /** Sends an offer and resolves with the reply, or undefined when none comes in time. */
  #offer(link: PeerLink, fields: Omit<CarryOfferPayload, 't' | 'ref'>): Promise<CarryOutcome | undefined> {
    const ref = toBase64Url(this.#options.randomBytes(12));

    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(undefined), this.#options.replyTimeoutMs ?? CARRY_REPLY_TIMEOUT_MS);
      const finish = (outcome: CarryOutcome | undefined): void => {
        clearTimeout(timer);
        this.#pending.delete(ref);
        resolve(outcome);
      };
      this.#pending.set(ref, { peer: link.remoteAddress, resolve: finish });
      if (!link.send({ t: 'carry', ref, ...fields })) finish(undefined);
    });
  }

  async #readyCarriers(recipient: string, now: number): Promise<PeerLink[]> {
    const candidates = new Set(await this.#candidates(recipient, now));

    return this.#options.host.readyLinks().filter((link) => candidates.has(link.remoteAddress) && this.#carrierStatus.get(link) === true);
  }

  /** Online candidates, except those linked now that said they do not carry. */
  async #onlineCandidates(recipient: string, now: number): Promise<string[]> {
    const { host } = this.#options;
    const declined = new Set(host.readyLinks().filter((link) => this.#carrierStatus.get(link) === false).map((link) => link.remoteAddress));

    return (await this.#candidates(recipient, now)).filter((address) => host.isOnline(address) && !declined.has(address));
  }

  async #dialCarriers(recipient: string, now: number): Promise<void> {
    const candidates = await this.#onlineCandidates(recipient, now);

    for (const address of candidates.slice(0, MAX_CARRIERS_DIALLED)) await this.#options.host.dial(address);
  }

  /** Contacts and circle members other than the recipient that have not rejected it lately. */
  async #candidates(recipient: string, now: number): Promise<string[]> {
    const contacts = await this.#options.storage.listContacts();
    const blocked = new Set(contacts.filter((contact) => contact.state === 'blocked').map((contact) => contact.address));
    const fromContacts = contacts.filter((contact) => contact.state === 'contact').map((contact) => contact.address);
    const fromCircle = (await this.#circle?.carriersFor(recipient)) ?? [];

    return [...new Set([...fromContacts, ...fromCircle])].filter(
      (address) => address !== recipient && !blocked.has(address) && (this.#rejectedUntil.get(`${address}\n${recipient}`) ?? 0) <= now,
    );
  }
}
