/**
 * Delivery through a store-and-forward mailbox when no direct link opens: outgoing messages go
 * out as sealed envelopes, and the user's own envelopes are collected, stored, acknowledged and
 * then deleted from the mailbox. An envelope is deleted only after its content is stored, so a
 * crash or a full disk in between means it is fetched again, and de-duplication keeps it single.
 */

import type { Card, WireCard } from './card.ts';
import { cardFromContact } from './contact-cards.ts';
import { DEFAULT_ENVELOPE_TTL_MS, sealEnvelope } from './crypto/envelope.ts';
import { readInboundEnvelope } from './inbound-envelope.ts';
import { recordSkippedBefore, withSkippedBefore } from './skipped-before.ts';
import type { Identity } from './identity.ts';
import type { AckPayload, ChatPayload, WirePayload } from './messages.ts';
import { chatPayloadOf, encodePayload } from './messages.ts';
import type { Mailbox } from './mailbox-port.ts';
import { isDueForMailbox } from './carry-sender.ts';
import type { Clock, Logger, RandomBytes } from './ports.ts';
import type { CoreStorage } from './storage-port.ts';
import type { InboxResult } from './inbox.ts';
import { toBase64Url } from './bytes.ts';

const FETCH_BATCH = 50;
/** Upper bound of fetch rounds per collection, so a flood cannot keep the loop going forever. */
const MAX_FETCH_ROUNDS = 40;

/** What the courier needs from the messenger that owns it. */
export interface CourierHost {
  identity(): Identity;
  ownCard(): WireCard;
  storeChat(card: Card, payload: ChatPayload): Promise<InboxResult>;
  /** Sends a payload over a ready direct link; returns false when there is none. */
  sendDirect(address: string, payload: WirePayload): boolean;
  countRejectedEnvelope(): void;
}

export interface MailboxCourierOptions {
  mailbox: Mailbox;
  storage: CoreStorage;
  clock: Clock;
  randomBytes: RandomBytes;
  logger: Logger;
  host: CourierHost;
}

export class MailboxCourier {
  #options: MailboxCourierOptions;
  #collecting: Promise<void> | undefined;

  constructor(options: MailboxCourierOptions) {
    this.#options = options;
  }

  get isAvailable(): boolean {
    return this.#options.mailbox.isAvailable();
  }

  /** Puts every outbox message of a conversation that has not gone to the mailbox yet. */
  async sendWaiting(conversation: string): Promise<void> {
    const { storage, mailbox, clock, logger } = this.#options;
    const contact = await storage.getContact(conversation);
    if (!contact || contact.state === 'blocked' || !mailbox.isAvailable()) return;

    const now = clock.now();
    const waiting = (await storage.listOutbox(conversation)).filter((message) => isDueForMailbox(message, now));
    for (const message of waiting) {
      try {
        // The envelope names the seqs cancelled right below it, which a `skip` payload cannot bring without a link.
        const payload = await withSkippedBefore(storage, message, chatPayloadOf(message));
        // The time to live counts from now, not from when the message was written.
        await this.#put(contact.address, contact.boxPublicKey, payload, message.id, message.instance, message.seq, clock.now());
        await storage.markMailboxed([message.id], clock.now());
      } catch (error) {
        logger.warn('mailbox put failed', { peer: conversation.slice(0, 12), seq: message.seq, error: String(error) });
        return;
      }
    }
    if (waiting.length > 0) logger.info('messages sent through the mailbox', { peer: conversation.slice(0, 12), count: waiting.length });
  }

  /** Sends receipts through a direct link when there is one, else through the mailbox. */
  async acknowledge(sender: Card, ids: string[]): Promise<void> {
    const ack: AckPayload = { t: 'ack', ids };
    if (this.#options.host.sendDirect(sender.address, ack)) return;

    const id = toBase64Url(this.#options.randomBytes(16));
    await this.#put(sender.address, sender.boxPublicKey, ack, id, this.#options.host.identity().instanceId, 0, this.#options.clock.now());
  }

  /** Collects the user's envelopes; concurrent calls share one run. */
  collect(): Promise<void> {
    this.#collecting ??= this.#collectRounds().finally(() => {
      this.#collecting = undefined;
    });

    return this.#collecting;
  }

  async #collectRounds(): Promise<void> {
    const { mailbox, storage } = this.#options;
    const contacts = new Map((await storage.listContacts()).map((contact) => [contact.address, cardFromContact(contact)]));

    for (let round = 0; round < MAX_FETCH_ROUNDS && mailbox.isAvailable(); round++) {
      const batch = await mailbox.fetch(FETCH_BATCH);
      if (batch.length === 0) return;

      const done: string[] = [];
      for (const stored of batch) {
        if (await this.#handleEnvelope(stored.envelope, contacts)) done.push(stored.id);
      }
      if (done.length > 0) await mailbox.delete(done);
      if (done.length < batch.length) return;
    }
  }

  /** Returns true when the envelope is finished with and can be deleted from the mailbox. */
  async #handleEnvelope(envelope: Uint8Array, contacts: Map<string, Card>): Promise<boolean> {
    const { host, storage, clock, logger } = this.#options;
    const inbound = readInboundEnvelope(host.identity(), envelope, clock.now(), (address) => contacts.get(address));

    if (inbound.kind === 'invalid') {
      // It can never be opened, so keeping it would only block the mailbox.
      host.countRejectedEnvelope();
      logger.warn('envelope rejected', { error: inbound.reason });
      return true;
    }
    if (inbound.kind === 'ack') {
      await storage.markDelivered(inbound.sender.address, inbound.ids);
      return true;
    }

    const { sender, payload } = inbound;
    const result = await host.storeChat(sender, payload);
    if (result === 'failed') return false;
    if (result === 'blocked') return true;
    try {
      await recordSkippedBefore(storage, sender.address, payload);
    } catch (error) {
      // Kept in the mailbox, so the next collection stores it as a duplicate and records the seqs again.
      logger.warn('recording skipped seqs failed', { peer: sender.address.slice(0, 12), error: String(error) });
      return false;
    }

    contacts.set(sender.address, sender);
    try {
      await this.acknowledge(sender, [payload.id]);
    } catch (error) {
      // The message is stored; the sender learns of it from a later receipt or resend.
      logger.warn('receipt through the mailbox failed', { peer: sender.address.slice(0, 12), error: String(error) });
    }

    return true;
  }

  async #put(
    recipient: string,
    recipientBoxKey: Uint8Array,
    payload: WirePayload,
    id: string,
    instance: string,
    seq: number,
    createdAt: number,
  ): Promise<void> {
    const { host, randomBytes, mailbox } = this.#options;
    const envelope = sealEnvelope(
      host.identity(),
      host.ownCard(),
      recipientBoxKey,
      { id, instance, seq, createdAt, ttlMs: DEFAULT_ENVELOPE_TTL_MS, payload: encodePayload(payload) },
      randomBytes,
    );

    await mailbox.put(recipient, envelope, DEFAULT_ENVELOPE_TTL_MS);
  }
}
