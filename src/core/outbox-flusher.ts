/**
 * Writes waiting outbox messages to ready links, in sequence order. A message goes to a given
 * link at most once, since the channel is reliable and ordered. It leaves the outbox only on
 * the receiver's acknowledgement. When a link dies first, its unacknowledged messages go back
 * to 'queued' for the next link.
 */

import { chatPayloadOf } from './messages.ts';
import type { PeerLink } from './peer-link.ts';
import type { Logger } from './ports.ts';
import { isSendingPaused } from './send-pause.ts';
import type { CoreStorage, MessageRecord } from './storage-port.ts';

interface LinkProgress {
  /** Highest sequence number written to the link; everything up to it went out in order. */
  sentUpToSeq: number;
  sentIds: Set<string>;
  running: Promise<void> | undefined;
  /** Set when a flush was requested while one ran, so it runs once more instead of piling up. */
  isRequestedAgain: boolean;
  /** Set while catch-up waits for the peer's sync marks; requested flushes run on release. */
  isHeld: boolean;
}

/** Outbox messages read per page, which bounds memory when a long outbox drains. */
export const OUTBOX_PAGE_SIZE = 2_048;

/**
 * Time the 'sent' status waits before it is stored. A receipt usually comes sooner and makes
 * the write unnecessary, so a burst of sends is not written a second time just for 'sent'.
 */
export const SENT_MARK_DELAY_MS = 1_000;
/**
 * Maximum wait of the 'sent' status while receipts keep arriving. A peer working through a
 * backlog acknowledges it within seconds. Writing 'sent' for thousands of messages just before
 * 'delivered' replaces it would hold up the outbox reads and receipts of the flush.
 */
export const MAX_SENT_MARK_DELAY_MS = 10_000;

export class OutboxFlusher {
  #storage: CoreStorage;
  #logger: Logger;
  #progress = new WeakMap<PeerLink, LinkProgress>();
  /** Ids written to a link whose 'sent' status is not stored yet. */
  #unmarkedSent = new Set<string>();
  #isWritingSent = false;
  /** Counts the ids acknowledged while a 'sent' write waited: more than none means receipts still come. */
  #acknowledgedWhileWaiting = 0;

  constructor(storage: CoreStorage, logger: Logger) {
    this.#storage = storage;
    this.#logger = logger;
  }

  /**
   * Sends what waits for the link's peer. Requests that arrive during a flush merge into one
   * more pass, so a burst of sends costs a few outbox reads instead of one per message.
   */
  flush(link: PeerLink): Promise<void> {
    const progress = this.#progressOf(link);
    progress.isRequestedAgain = true;
    if (link.isClosed || progress.isHeld) return Promise.resolve();

    progress.running ??= this.#runRequested(link, progress);
    return progress.running;
  }

  async #runRequested(link: PeerLink, progress: LinkProgress): Promise<void> {
    // The loop check and the reset below run in one step, so a request that arrives while a
    // pass runs is always picked up, either by the loop or by a new run.
    try {
      while (progress.isRequestedAgain && !link.isClosed) {
        progress.isRequestedAgain = false;
        await this.#sendWaiting(link, progress);
      }
    } finally {
      progress.running = undefined;
    }
  }

  /**
   * Sends just-written messages straight from memory when they follow on from what the idle
   * link already carries, which saves an outbox read. Otherwise it flushes as usual.
   * `isPaused`, read in the write's transaction, saves a contact read that would wait behind the
   * page's live queries. Without it the contact is read here.
   */
  async sendQueued(link: PeerLink, messages: MessageRecord[], isPaused?: boolean): Promise<void> {
    if (isPaused ?? (await this.#isPaused(link))) return;

    const progress = this.#progressOf(link);
    // A running pass may send these messages too. Waiting for it, instead of requesting one
    // more pass, keeps a burst of writes from turning into one outbox read per batch.
    while (progress.running) await progress.running.catch(() => undefined);

    const unsent = messages.filter((message) => message.seq > progress.sentUpToSeq);
    const first = unsent[0];
    if (first === undefined) return;

    const isNextInOrder = progress.sentUpToSeq === first.seq - 1 && !progress.isHeld && !link.isClosed;
    if (!isNextInOrder) {
      await this.flush(link);
      return;
    }

    const sentIds: string[] = [];
    for (const message of unsent) {
      if (message.seq !== progress.sentUpToSeq + 1 || !link.send(chatPayloadOf(message))) break;
      progress.sentUpToSeq = message.seq;
      progress.sentIds.add(message.id);
      sentIds.push(message.id);
    }
    this.#markSent(sentIds);
    if (sentIds.length < unsent.length) await this.flush(link);
  }

  /** Makes flushes of the link wait until release(). */
  hold(link: PeerLink): void {
    this.#progressOf(link).isHeld = true;
  }

  /** Ends a hold and runs the flushes requested during it as one. */
  async release(link: PeerLink): Promise<void> {
    const progress = this.#progressOf(link);
    progress.isHeld = false;

    if (progress.isRequestedAgain) await this.flush(link);
  }

  /** Puts the messages that went out on a closed link and were not acknowledged back in the queue. */
  async linkClosed(link: PeerLink): Promise<void> {
    const unacknowledged = [...(this.#progress.get(link)?.sentIds ?? [])];
    // A 'sent' mark still waiting would undo the requeue below.
    for (const id of unacknowledged) this.#unmarkedSent.delete(id);

    if (unacknowledged.length > 0) await this.#storage.requeue(unacknowledged);
  }

  /** Tells whether sending to the link's peer waits for the user after a key change; see send-pause.ts. */
  async #isPaused(link: PeerLink): Promise<boolean> {
    return isSendingPaused(await this.#storage.getContact(link.remoteAddress));
  }

  #progressOf(link: PeerLink): LinkProgress {
    let progress = this.#progress.get(link);
    if (!progress) {
      progress = { sentUpToSeq: 0, sentIds: new Set(), running: undefined, isRequestedAgain: false, isHeld: false };
      this.#progress.set(link, progress);
    }

    return progress;
  }

  async #sendWaiting(link: PeerLink, progress: LinkProgress): Promise<void> {
    if (await this.#isPaused(link)) return;

    let waiting = await this.#storage.listOutbox(link.remoteAddress, progress.sentUpToSeq, OUTBOX_PAGE_SIZE);
    for (;;) {
      // The next page is requested before this one goes out: a read waits for the writes begun
      // before it, and the receipts for this page would otherwise begin first.
      const last = waiting.at(-1);
      const next = waiting.length === OUTBOX_PAGE_SIZE && last ? this.#storage.listOutbox(link.remoteAddress, last.seq, OUTBOX_PAGE_SIZE) : undefined;
      const sentIds: string[] = [];

      for (const message of waiting) {
        if (!link.send(chatPayloadOf(message))) break;
        progress.sentUpToSeq = Math.max(progress.sentUpToSeq, message.seq);
        progress.sentIds.add(message.id);
        sentIds.push(message.id);
      }
      this.#markSent(sentIds);
      if (!next) return;
      if (sentIds.length < waiting.length) {
        // Not needed any more; a failed read here must not become an unhandled rejection.
        next.catch(() => undefined);
        return;
      }
      waiting = await next;
    }
  }

  /**
   * Drops acknowledged ids from the 'sent' writes still to come, because 'delivered' replaces
   * that status. In a burst most acknowledgements arrive before the write, which then shrinks.
   */
  acknowledged(ids: string[]): void {
    for (const id of ids) {
      if (this.#unmarkedSent.delete(id)) this.#acknowledgedWhileWaiting++;
    }
  }

  /** Stores the 'sent' status of these ids, merged with other pending ones into one write at a time. */
  #markSent(ids: string[]): void {
    for (const id of ids) this.#unmarkedSent.add(id);

    if (!this.#isWritingSent) void this.#writeSent();
  }

  async #writeSent(): Promise<void> {
    this.#isWritingSent = true;
    // Let the acknowledgements on their way remove ids first, and wait on while they keep
    // coming, up to MAX_SENT_MARK_DELAY_MS.
    for (let waitedMs = 0; waitedMs < MAX_SENT_MARK_DELAY_MS && this.#unmarkedSent.size > 0; waitedMs += SENT_MARK_DELAY_MS) {
      this.#acknowledgedWhileWaiting = 0;
      await new Promise((resolve) => setTimeout(resolve, SENT_MARK_DELAY_MS));
      if (this.#acknowledgedWhileWaiting === 0) break;
    }

    try {
      while (this.#unmarkedSent.size > 0) {
        const ids = [...this.#unmarkedSent];
        this.#unmarkedSent.clear();
        await this.#storage.markSent(ids);
      }
    } catch (error) {
      // The status is only shown, never used for delivery: the ids stay in the outbox and a
      // lost 'sent' mark is replaced by 'delivered' once the receipt arrives.
      this.#logger.warn('storing sent status failed', { error: String(error) });
    } finally {
      this.#isWritingSent = false;
    }
  }
}
