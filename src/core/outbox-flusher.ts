/**
 * Writes waiting outbox messages to ready links, in sequence order. A message goes to a given
 * link at most once, since the channel is reliable and ordered. It leaves the outbox only on
 * the receiver's acknowledgement. When a link dies first, its unacknowledged messages go back
 * to 'queued' for the next link.
 */

import type { ChatPayload } from './messages.ts';
import type { PeerLink } from './peer-link.ts';
import type { CoreStorage, MessageRecord } from './storage-port.ts';

interface LinkProgress {
  /** Highest sequence number written to the link; everything up to it went out in order. */
  sentUpToSeq: number;
  sentIds: Set<string>;
  running: Promise<void> | undefined;
  /** Set when a flush was requested while one ran, so it runs once more instead of piling up. */
  isRequestedAgain: boolean;
}

export class OutboxFlusher {
  #storage: CoreStorage;
  #progress = new WeakMap<PeerLink, LinkProgress>();

  constructor(storage: CoreStorage) {
    this.#storage = storage;
  }

  /**
   * Sends what waits for the link's peer. Requests that arrive during a flush merge into one
   * more pass, so a burst of sends costs a few outbox reads instead of one per message.
   */
  flush(link: PeerLink): Promise<void> {
    const progress = this.#progressOf(link);
    progress.isRequestedAgain = true;
    if (link.isClosed) return Promise.resolve();

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
   * Sends a just-queued message straight from memory when it is the next one in order for an
   * idle link, which saves an outbox read. Otherwise it flushes as usual.
   */
  async sendQueued(link: PeerLink, message: MessageRecord): Promise<void> {
    const progress = this.#progressOf(link);
    const isNextInOrder = progress.sentUpToSeq === message.seq - 1 && !progress.running && !link.isClosed;

    if (!isNextInOrder || !link.send(chatPayloadOf(message))) {
      await this.flush(link);
      return;
    }

    progress.sentUpToSeq = message.seq;
    progress.sentIds.add(message.id);
    await this.#storage.markSent([message.id]);
  }

  /** Puts the messages that went out on a closed link and were not acknowledged back in the queue. */
  async linkClosed(link: PeerLink): Promise<void> {
    const unacknowledged = [...(this.#progress.get(link)?.sentIds ?? [])];

    if (unacknowledged.length > 0) await this.#storage.requeue(unacknowledged);
  }

  #progressOf(link: PeerLink): LinkProgress {
    let progress = this.#progress.get(link);
    if (!progress) {
      progress = { sentUpToSeq: 0, sentIds: new Set(), running: undefined, isRequestedAgain: false };
      this.#progress.set(link, progress);
    }

    return progress;
  }

  async #sendWaiting(link: PeerLink, progress: LinkProgress): Promise<void> {
    const waiting = await this.#storage.listOutbox(link.remoteAddress, progress.sentUpToSeq);
    const sentIds: string[] = [];

    for (const message of waiting) {
      if (!link.send(chatPayloadOf(message))) break;
      progress.sentUpToSeq = Math.max(progress.sentUpToSeq, message.seq);
      progress.sentIds.add(message.id);
      sentIds.push(message.id);
    }
    if (sentIds.length > 0) await this.#storage.markSent(sentIds);
  }
}

function chatPayloadOf(message: MessageRecord): ChatPayload {
  const { id, instance, seq, sentAt, text, file, revises } = message;

  return { t: 'msg', id, instance, seq, sentAt, text, ...(file && { file }), ...(revises && { revises }) };
}
