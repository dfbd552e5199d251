/**
 * Writes waiting outbox messages to ready links, in sequence order. A message goes to a given
 * link at most once, since the channel is reliable and ordered; it leaves the outbox only on
 * the receiver's acknowledgement. When a link dies first, its unacknowledged messages go back
 * to 'queued' for the next link.
 */

import type { ChatPayload } from './messages.ts';
import type { PeerLink } from './peer-link.ts';
import type { CoreStorage } from './storage-port.ts';

export class OutboxFlusher {
  #storage: CoreStorage;
  #running = new Map<string, Promise<void>>();
  #sentOnLink = new WeakMap<PeerLink, Set<string>>();

  constructor(storage: CoreStorage) {
    this.#storage = storage;
  }

  /** Sends what waits for the link's peer; runs after any flush already running for that peer. */
  async flush(link: PeerLink): Promise<void> {
    const address = link.remoteAddress;
    const running = this.#running.get(address);
    if (running) await running;

    const flush = this.#sendWaiting(link).finally(() => {
      if (this.#running.get(address) === flush) this.#running.delete(address);
    });
    this.#running.set(address, flush);
    await flush;
  }

  /** Puts the messages that went out on a closed link and were not acknowledged back in the queue. */
  async linkClosed(link: PeerLink): Promise<void> {
    const unacknowledged = [...(this.#sentOnLink.get(link) ?? [])];

    if (unacknowledged.length > 0) await this.#storage.requeue(unacknowledged);
  }

  async #sendWaiting(link: PeerLink): Promise<void> {
    const waiting = await this.#storage.listOutbox(link.remoteAddress);
    const alreadySent = this.#sentOnLink.get(link) ?? new Set<string>();
    const sentIds: string[] = [];
    this.#sentOnLink.set(link, alreadySent);

    // The loop has no await, so two flushes for one link never interleave their sends.
    for (const message of waiting) {
      if (alreadySent.has(message.id)) continue;

      const payload: ChatPayload = {
        t: 'msg',
        id: message.id,
        instance: message.instance,
        seq: message.seq,
        sentAt: message.sentAt,
        text: message.text,
      };
      if (!link.send(payload)) break;
      alreadySent.add(message.id);
      sentIds.push(message.id);
    }
    if (sentIds.length > 0) await this.#storage.markSent(sentIds);
  }
}
