/**
 * The receiving side of control messages and broadcast copies. It runs before the inbox
 * stores anything: a blocked sender's payloads, controls included, are dropped without a
 * write, and a broadcast copy from a contact whose broadcasts the user stopped is dropped
 * but acknowledged, so the sender's outbox lets go of it.
 */

import type { Card } from '../card.ts';
import { verifyCard } from '../card.ts';
import { cardFields, contactFromCard } from '../contact-cards.ts';
import type { InboxResult, StoreChats } from '../inbox.ts';
import type { ChatPayload } from '../messages.ts';
import { nameClaimFields } from '../name-claims.ts';
import type { ContactRecord } from '../storage-port.ts';
import type { JoinControl, OptOutControl, ProfileControl } from './control-messages.ts';
import { MAX_DECLINED_IDS } from './control-messages.ts';
import type { OrganiserContext } from './context.ts';
import { cancelStoppedCopies, queueControl } from './outbox-controls.ts';

export interface ControlInboxEvents {
  /** A join created or accepted a contact, so the watch list and profile sharing must follow. */
  onContactJoined(address: string): void;
}

export class ControlInbox {
  #context: OrganiserContext;
  #events: ControlInboxEvents;

  constructor(context: OrganiserContext, events: ControlInboxEvents) {
    this.#context = context;
    this.#events = events;
  }

  /** Implements InboxExtension.store: see the file comment. */
  async store(sender: Card, payloads: ChatPayload[], storeChats: StoreChats): Promise<InboxResult[]> {
    const contact = await this.#context.storage.getContact(sender.address);
    if (contact?.state === 'blocked') return payloads.map(() => 'blocked');

    const results: InboxResult[] = new Array<InboxResult>(payloads.length);
    const chats: ChatPayload[] = [];
    const chatIndexes: number[] = [];
    const declined: string[] = [];

    for (const [index, payload] of payloads.entries()) {
      if (payload.control) {
        results[index] = await this.#applySafely(sender, payload);
      } else if (payload.broadcast && contact?.stoppedBroadcastsAt !== undefined) {
        results[index] = 'dropped';
        declined.push(payload.id);
      } else {
        chats.push(payload);
        chatIndexes.push(index);
      }
    }
    if (chats.length > 0) {
      // Without a control applied in between, the contact read above is still current.
      const isContactCurrent = !payloads.some((payload) => payload.control);
      const stored = await storeChats(chats, isContactCurrent ? { contact } : undefined);
      chatIndexes.forEach((payloadIndex, chatIndex) => (results[payloadIndex] = stored[chatIndex] ?? 'failed'));
    }
    if (declined.length > 0) await this.#declineCopies(sender.address, declined);

    return results;
  }

  /**
   * Tells the sender again that the user opted out, listing the copies dropped unread. The ids
   * of an earlier opt-out still waiting are kept. It goes out after the receipt for these copies,
   * so the sender marks them cancelled after, not before, marking them delivered.
   */
  async #declineCopies(address: string, ids: string[]): Promise<void> {
    const waiting = await this.#context.storage.listOutbox(address);
    const earlier = waiting.flatMap((message) => (message.control?.kind === 'opt-out' && message.status === 'queued' ? (message.control.declined ?? []) : []));
    const declined = [...new Set([...earlier, ...ids])].slice(-MAX_DECLINED_IDS);

    try {
      await queueControl(this.#context, address, { kind: 'opt-out', declined }, { isDeferred: true });
    } catch (error) {
      this.#context.logger.warn('queuing the opt-out for dropped broadcasts failed', { peer: address.slice(0, 12), error: String(error) });
    }
  }

  async #applySafely(sender: Card, payload: ChatPayload): Promise<InboxResult> {
    try {
      return await this.#apply(sender, payload);
    } catch (error) {
      this.#context.logger.error('applying a control message failed', { peer: sender.address.slice(0, 12), kind: payload.control?.kind, error: String(error) });
      return 'failed';
    }
  }

  /** Returns 'stored' when the control changed something and 'dropped' when it was stale or void. */
  async #apply(sender: Card, payload: ChatPayload): Promise<InboxResult> {
    const control = payload.control;
    // Read again, because an earlier control of the same batch may have changed the contact.
    const contact = await this.#context.storage.getContact(sender.address);

    switch (control?.kind) {
      case 'opt-out':
      case 'opt-in':
        return this.#applyBroadcastChoice(contact, control, payload.sentAt);
      case 'profile':
        return this.#applyProfile(sender, contact, control, payload.sentAt);
      case 'join':
        return this.#applyJoin(sender, contact, control);
      case undefined:
        return 'dropped';
    }
  }

  async #applyBroadcastChoice(contact: ContactRecord | undefined, control: OptOutControl | { kind: 'opt-in' }, sentAt: number): Promise<InboxResult> {
    if (!contact) return 'dropped';

    const { storage, organiserStorage, clock, logger } = this.#context;
    // Copies the recipient dropped stay dropped, whatever their choice is now.
    if (control.kind === 'opt-out' && control.declined) await organiserStorage.markDeclined(contact.address, control.declined);
    // Equal times apply in arrival order, which the link and the mailbox keep per sender.
    if (sentAt < (contact.broadcastChoiceAt ?? Number.NEGATIVE_INFINITY)) return 'dropped';

    const isOptOut = control.kind === 'opt-out';
    const optedOutAt = isOptOut ? (contact.optedOutAt ?? clock.now()) : undefined;
    await storage.updateContact(contact.address, { optedOutAt, broadcastChoiceAt: sentAt });
    logger.info('broadcast choice received', { peer: contact.address.slice(0, 12), kind: control.kind });
    if (!isOptOut) return 'stored';

    await cancelStoppedCopies(this.#context, contact.address);

    return 'stored';
  }

  async #applyProfile(sender: Card, contact: ContactRecord | undefined, control: ProfileControl, sentAt: number): Promise<InboxResult> {
    if (!contact || sentAt <= (contact.profileUpdatedAt ?? Number.NEGATIVE_INFINITY)) return 'dropped';

    const { storage, logger } = this.#context;
    let card: Card;
    try {
      card = verifyCard(control.card);
    } catch (error) {
      logger.warn('profile card rejected', { peer: sender.address.slice(0, 12), error: String(error) });
      return 'dropped';
    }
    if (card.address !== sender.address) {
      logger.warn('profile card names another address', { peer: sender.address.slice(0, 12) });
      return 'dropped';
    }

    const isRenamed = card.wire.signature !== contact.card.signature;
    await storage.updateContact(contact.address, {
      ...(isRenamed && { ...cardFields(card), ...(await nameClaimFields(storage, card)) }),
      status: control.status === '' ? undefined : control.status,
      avatar: control.avatar,
      profileUpdatedAt: sentAt,
    });

    return 'stored';
  }

  /**
   * Files the sender into the list when the token matches the list's current one. The
   * organiser agreed in advance by sharing the link, so the sender becomes a contact, unless
   * their name claims an existing contact's, which leaves them a request to confirm. A wrong
   * or revoked token only makes the sender a message request.
   */
  async #applyJoin(sender: Card, contact: ContactRecord | undefined, control: JoinControl): Promise<InboxResult> {
    const { storage, organiserStorage, clock, logger } = this.#context;
    const list = await organiserStorage.getList(control.list);
    const isValid = list !== undefined && list.joinToken === control.token;
    const now = clock.now();

    if (!contact) {
      const claim = await nameClaimFields(storage, sender);
      const state = isValid && claim.claimsNameOf === undefined ? 'contact' : 'request';
      await storage.putContact({ ...contactFromCard(sender, now), ...claim, state });
    } else if (contact.state === 'request' && isValid && contact.claimsNameOf === undefined) {
      await storage.updateContact(contact.address, { state: 'contact' });
    }

    if (!isValid) {
      logger.info('join with an unknown list or revoked token', { peer: sender.address.slice(0, 12) });
      return 'dropped';
    }

    await organiserStorage.addMembers(control.list, [sender.address], now);
    logger.info('contact joined a list', { peer: sender.address.slice(0, 12) });
    this.#events.onContactJoined(sender.address);

    return 'stored';
  }
}
