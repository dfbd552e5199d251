/**
 * Catch-up when a link becomes ready. Each side sends, per install of the peer, the highest seq
 * up to which it received every one of the peer's messages in their conversation, plus the seqs
 * it received beyond that (see received-seqs.ts: a message deleted for me still counts). The peer then marks its outbox messages the other side has stored as delivered
 * (their receipt was lost), and resends its delivered or read messages the other side lacks
 * (lost, for example, by restoring an older backup). Both walks go page by page, so a long gap
 * costs bounded memory.
 */

import type { SyncMark } from './messages.ts';
import { chatPayloadOf, MAX_SYNC_MARKS } from './messages.ts';
import type { PeerLink } from './peer-link.ts';
import type { Logger } from './ports.ts';
import { findSkipped } from './skipped-seqs.ts';
import type { CoreStorage, MessageRecord } from './storage-port.ts';

/** Time a new link waits for the peer's marks before flushing the outbox anyway. */
export const SYNC_WAIT_MS = 1_000;
/** Messages read per page while catching up. */
export const CATCH_UP_PAGE_SIZE = 256;

export class CatchUp {
  #storage: CoreStorage;
  #logger: Logger;
  #ownAddress: () => string;
  #ownInstance: () => string;
  /** Per link, the own seq up to which skipped seqs were sent or found still waiting. */
  #skipCheckedSeq = new WeakMap<PeerLink, number>();

  constructor(storage: CoreStorage, logger: Logger, ownAddress: () => string, ownInstance: () => string) {
    this.#storage = storage;
    this.#logger = logger;
    this.#ownAddress = ownAddress;
    this.#ownInstance = ownInstance;
  }

  /** Sends the marks of the peer's messages received here. */
  async sendMarks(link: PeerLink): Promise<void> {
    const marks = await this.#storage.receivedMarks(link.remoteAddress, link.remoteAddress);

    // NOTE: marks beyond MAX_SYNC_MARKS installs are left out; those installs count as unseen.
    link.send({ t: 'sync', marks: marks.slice(0, MAX_SYNC_MARKS) });
  }

  /**
   * Applies the peer's marks: acknowledges what it has stored and resends what it lacks.
   * Returns the number of messages resent. The outbox flush may start once this resolves;
   * call sendSkippedAfterMarks next.
   */
  async applyMarks(link: PeerLink, marks: SyncMark[]): Promise<number> {
    const conversation = link.remoteAddress;
    const held = new Map(marks.map((mark) => [mark.instance, mark]));

    const acknowledged = await this.#acknowledgeHeld(conversation, held);
    const firstWaiting = (await this.#storage.listOutbox(conversation, 0, 1))[0];
    const resent = await this.#resendMissing(link, held, firstWaiting);
    this.#logger.info('caught up', { peer: conversation.slice(0, 12), acknowledged, resent });

    return resent;
  }

  /**
   * Sends the seqs of this install the peer will never get (skipped-seqs.ts), given its marks.
   * The walk reads every own message above the peer's mark. For a long outbox that takes longer
   * than the rest of catch-up, so the flush does not wait for it. A skip only closes the peer's
   * gap marker and may come after later messages. Returns how many payloads went out.
   */
  async sendSkippedAfterMarks(link: PeerLink, marks: SyncMark[]): Promise<number> {
    const skipped = await this.#sendSkipped(link, new Map(marks.map((mark) => [mark.instance, mark])));
    this.#logger.info('skipped seqs sent', { peer: link.remoteAddress.slice(0, 12), skipped });

    return skipped;
  }

  async #acknowledgeHeld(conversation: string, held: Map<string, SyncMark>): Promise<number> {
    // Only outbox messages up to the highest seq the peer has stored can be acknowledged here.
    const highestHeld = Math.max(0, ...[...held.values()].map((mark) => Math.max(mark.seq, ...mark.above)));
    let afterSeq = 0;
    let acknowledged = 0;

    while (afterSeq < highestHeld) {
      const page = await this.#storage.listOutbox(conversation, afterSeq, CATCH_UP_PAGE_SIZE);
      const ids = page.filter((message) => isHeld(held.get(message.instance), message.seq)).map((message) => message.id);
      if (ids.length > 0) await this.#storage.markDelivered(conversation, ids);
      acknowledged += ids.length;

      const last = page.at(-1);
      if (page.length < CATCH_UP_PAGE_SIZE || !last) return acknowledged;
      afterSeq = last.seq;
    }

    return acknowledged;
  }

  /**
   * Resends delivered or read messages the peer lacks. For the install that has messages
   * waiting, the walk stops at the first waiting one, because the flusher sends from there.
   * NOTE: a message of that install delivered out of order after the first waiting one is not
   * resent when the peer lost it.
   */
  async #resendMissing(link: PeerLink, held: Map<string, SyncMark>, firstWaiting: MessageRecord | undefined): Promise<number> {
    const conversation = link.remoteAddress;
    const ownAddress = this.#ownAddress();
    // Every own install that wrote in this conversation, since the peer may lack any of them.
    const ownInstances = await this.#storage.listSenderInstances(conversation, ownAddress);
    let resent = 0;

    for (const instance of ownInstances) {
      const mark = held.get(instance);
      const stopSeq = firstWaiting?.instance === instance ? firstWaiting.seq : Infinity;
      let afterSeq = mark?.seq ?? 0;
      while (afterSeq < stopSeq) {
        const page = await this.#storage.listFromInstance(conversation, ownAddress, instance, afterSeq, CATCH_UP_PAGE_SIZE);
        // Queued and sent messages are still in the outbox, which the flusher sends next.
        for (const message of page) {
          if (message.seq >= stopSeq) break;
          if ((message.status !== 'delivered' && message.status !== 'read') || isHeld(mark, message.seq)) continue;
          // Control messages are not resent: a receiver from before received-seqs.ts never lists
          // them in its marks, so each catch-up would apply them again.
          if (message.control) continue;
          if (!link.send(chatPayloadOf(message))) return resent;
          resent++;
        }

        const last = page.at(-1);
        if (page.length < CATCH_UP_PAGE_SIZE || !last) break;
        afterSeq = last.seq;
      }
    }

    return resent;
  }

  /**
   * Sends the seqs of this install cancelled since the link's catch-up, such as a queued control
   * replaced while the link was open. Does nothing before the peer's marks were applied. A
   * storage failure is logged, not thrown: it only leaves the peer's gap marker until the next link.
   */
  async sendSkippedSince(link: PeerLink): Promise<void> {
    const checkedSeq = this.#skipCheckedSeq.get(link);
    if (checkedSeq === undefined) return;

    const instance = this.#ownInstance();
    try {
      // One page per call keeps each send's cost bounded; the next call resumes where this stopped.
      await this.#sendSkipped(link, new Map([[instance, { instance, seq: checkedSeq, above: [] }]]), 1);
    } catch (error) {
      this.#logger.warn('sending skipped seqs failed', { peer: link.remoteAddress.slice(0, 12), error: String(error) });
    }
  }

  /** Sends the skipped seqs of this install the peer lacks; returns how many payloads went out. */
  async #sendSkipped(link: PeerLink, held: Map<string, SyncMark>, maxPages = Infinity): Promise<number> {
    const instance = this.#ownInstance();
    const mark = held.get(instance);
    const { payloads, checkedSeq } = await findSkipped(this.#storage, link.remoteAddress, this.#ownAddress(), instance, mark, maxPages);
    let sent = 0;

    for (const payload of payloads) {
      if (!link.send(payload)) return sent;
      sent++;
    }
    this.#skipCheckedSeq.set(link, Math.max(checkedSeq, this.#skipCheckedSeq.get(link) ?? 0));

    return sent;
  }
}

function isHeld(mark: SyncMark | undefined, seq: number): boolean {
  return mark !== undefined && (seq <= mark.seq || mark.above.includes(seq));
}
