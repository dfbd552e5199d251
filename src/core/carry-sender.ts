/**
 * The sender's side of store-and-forward through peers: finding carriers for a conversation's
 * waiting messages, offering them sealed envelopes, and deciding when the mailbox takes over.
 */

import type { Card, WireCard } from './card.ts';
import { cardFromContact } from './contact-cards.ts';
import type { CarryOffers } from './carry-offers.ts';
import { sealForCarrying } from './carry-offers.ts';
import { MAX_CARRIED_ENVELOPE_BYTES } from './carry-payloads.ts';
import type { CarryCircle } from './carry-policy.ts';
import { carryTag } from './carry-store-port.ts';
import { DEFAULT_ENVELOPE_TTL_MS } from './crypto/envelope.ts';
import type { Identity } from './identity.ts';
import { chatPayloadOf } from './messages.ts';
import { withSkippedBefore } from './skipped-before.ts';
import type { PeerLink } from './peer-link.ts';
import type { Clock, Logger, RandomBytes } from './ports.ts';
import type { CoreStorage, MessageRecord } from './storage-port.ts';

/** Time carriers get to take waiting messages before the mailbox does. */
export const CARRIER_SEARCH_TIMEOUT_MS = 10_000;
/** Time a peer that rejected an offer is not asked again for the same recipient. */
export const CARRIER_RETRY_DELAY_MS = 10 * 60 * 1000;
/**
 * Time after which a message that a carrier keeps without a receipt goes to the mailbox as
 * well, in case the carrier never meets the recipient.
 */
export const CARRIED_MAILBOX_DELAY_MS = 60 * 60 * 1000;
/** Online contacts dialled at once in search of a carrier. */
const MAX_CARRIERS_DIALLED = 3;
const MAX_ENCODED_ENVELOPE_LENGTH = Math.ceil((MAX_CARRIED_ENVELOPE_BYTES * 4) / 3);

/**
 * Tells whether an outgoing message should go to the mailbox: no mailbox or carrier has it,
 * or a carrier has held it for CARRIED_MAILBOX_DELAY_MS without a receipt coming back.
 */
export function isDueForMailbox(message: MessageRecord, now: number): boolean {
  if (message.mailboxedAt !== undefined) return false;

  return message.carriedAt === undefined || now - message.carriedAt >= CARRIED_MAILBOX_DELAY_MS;
}

/** Services of the messenger that the sender side uses. */
export interface CarrySenderHost {
  identity(): Identity;
  ownCard(): WireCard;
  readyLinks(): PeerLink[];
  isOnline(address: string): boolean;
  dial(address: string): Promise<void>;
}

export interface CarrySenderOptions {
  storage: CoreStorage;
  clock: Clock;
  randomBytes: RandomBytes;
  logger: Logger;
  host: CarrySenderHost;
  offers: CarryOffers;
  circle(): CarryCircle | undefined;
  /** Counters shared with the peer courier. */
  stats: { handedOver: number; rejectedOffers: number };
}

interface SealedMessage {
  conversation: string;
  envelope: string;
  expiresAt: number;
}

export class CarrySender {
  #options: CarrySenderOptions;
  /** Envelopes sealed for waiting messages, reused so that carriers see the same bytes again. */
  #sealed = new Map<string, SealedMessage>();
  /** Offers on their way, keyed by carrier and message id, so none is made twice at once. */
  #offering = new Set<string>();
  /** Until when a peer is not asked again to carry for a recipient, keyed by both addresses. */
  #rejectedUntil = new Map<string, number>();
  /** First time the sender looked for a carrier for each conversation. */
  #searchSince = new Map<string, number>();
  /** Whether the peer of each link said it carries for this user; offers go only where it did. */
  #carrierStatus = new WeakMap<PeerLink, boolean>();

  constructor(options: CarrySenderOptions) {
    this.#options = options;
  }

  /** Records a peer's `carry-status` and, when it carries, offers it what waits for a carrier. */
  async setCarrierStatus(link: PeerLink, isCarrying: boolean): Promise<void> {
    this.#carrierStatus.set(link, isCarrying);
    if (!isCarrying) return;

    try {
      for (const conversation of this.#searchSince.keys()) {
        if (conversation !== link.remoteAddress) await this.handOver(conversation);
      }
    } catch (error) {
      this.#options.logger.warn('offering waiting messages failed', { carrier: link.remoteAddress.slice(0, 12), error: String(error) });
    }
  }

  /**
   * Offers the messages of a conversation that no mailbox or carrier has yet to every ready
   * carrier, and dials online contacts when no carrier is linked.
   */
  async handOver(conversation: string): Promise<void> {
    const { storage, clock } = this.#options;
    const now = clock.now();
    const contact = await storage.getContact(conversation);
    if (!contact || contact.state === 'blocked') return;

    const waiting = (await storage.listOutbox(conversation)).filter((message) => message.mailboxedAt === undefined && message.carriedAt === undefined);
    this.#forgetSealed(conversation, new Set(waiting.map((message) => message.id)));
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

  async #offerMessage(recipient: Card, message: MessageRecord, carriers: PeerLink[]): Promise<void> {
    const { storage, clock, logger, offers, stats } = this.#options;
    const sealed = await this.#sealMessage(recipient, message);
    if (sealed.envelope.length > MAX_ENCODED_ENVELOPE_LENGTH) return;

    const offered = carriers
      .filter((carrier) => !this.#offering.has(`${carrier.remoteAddress}\n${message.id}`))
      .map(async (carrier) => {
        const key = `${carrier.remoteAddress}\n${message.id}`;
        this.#offering.add(key);
        try {
          const outcome = await offers.send(carrier, { tag: carryTag(recipient.address), expiresAt: sealed.expiresAt, hops: 1, envelope: sealed.envelope });
          if (outcome === 'carried' || outcome === 'duplicate') return true;

          stats.rejectedOffers++;
          this.#rejectedUntil.set(`${carrier.remoteAddress}\n${recipient.address}`, clock.now() + CARRIER_RETRY_DELAY_MS);
          logger.info('carry offer rejected', { carrier: carrier.remoteAddress.slice(0, 12), outcome: outcome ?? 'no reply' });
          return false;
        } finally {
          this.#offering.delete(key);
        }
      });
    const isAccepted = (await Promise.all(offered)).some(Boolean);
    if (!isAccepted) return;

    stats.handedOver++;
    this.#sealed.delete(message.id);
    await storage.markCarried([message.id], clock.now());
  }

  async #sealMessage(recipient: Card, message: MessageRecord): Promise<SealedMessage> {
    const cached = this.#sealed.get(message.id);
    if (cached) return cached;

    const { host, clock, randomBytes, storage } = this.#options;
    // Broadcast marks, control messages, file details and key rotation statements travel with the copy, as on a link or in the mailbox.
    // So do the seqs cancelled right below it, which a `skip` payload cannot bring without a link.
    const payload = await withSkippedBefore(storage, message, chatPayloadOf(message));
    const cachedMeanwhile = this.#sealed.get(message.id);
    if (cachedMeanwhile) return cachedMeanwhile;

    const now = clock.now();
    const contents = { recipientBoxKey: recipient.boxPublicKey, payload, id: message.id, seq: message.seq, createdAt: now };
    const sealed = {
      conversation: message.conversation,
      envelope: sealForCarrying(host.identity(), host.ownCard(), contents, randomBytes),
      expiresAt: now + DEFAULT_ENVELOPE_TTL_MS,
    };
    this.#sealed.set(message.id, sealed);

    return sealed;
  }

  /** Drops the sealed envelopes of a conversation's messages that no longer wait for a carrier. */
  #forgetSealed(conversation: string, waitingIds: Set<string>): void {
    for (const [id, sealed] of this.#sealed) {
      if (sealed.conversation === conversation && !waitingIds.has(id)) this.#sealed.delete(id);
    }
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
    const fromCircle = (await this.#options.circle()?.carriersFor(recipient)) ?? [];

    return [...new Set([...fromContacts, ...fromCircle])].filter(
      (address) => address !== recipient && !blocked.has(address) && (this.#rejectedUntil.get(`${address}\n${recipient}`) ?? 0) <= now,
    );
  }
}
