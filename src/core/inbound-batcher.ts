/**
 * Buffers the payloads that arrive on a link and hands them to a handler in batches, one batch
 * at a time, in arrival order. A burst of messages then costs one storage transaction and one
 * receipt instead of one of each per message.
 */

import type { WirePayload } from './messages.ts';
import type { PeerLink } from './peer-link.ts';

export const MAX_INBOUND_BATCH = 256;

export type BatchHandler = (link: PeerLink, payloads: WirePayload[]) => Promise<void>;

export class InboundBatcher {
  #handle: BatchHandler;
  #onError: (link: PeerLink, error: unknown) => void;
  #buffers = new WeakMap<PeerLink, WirePayload[]>();
  #draining = new WeakSet<PeerLink>();

  constructor(handle: BatchHandler, onError: (link: PeerLink, error: unknown) => void) {
    this.#handle = handle;
    this.#onError = onError;
  }

  push(link: PeerLink, payload: WirePayload): void {
    const buffer = this.#buffers.get(link) ?? [];
    buffer.push(payload);
    this.#buffers.set(link, buffer);

    if (!this.#draining.has(link)) void this.#drain(link);
  }

  async #drain(link: PeerLink): Promise<void> {
    this.#draining.add(link);
    // Let the frames that arrived in the same task join the first batch.
    await Promise.resolve();

    try {
      for (let buffer = this.#buffers.get(link) ?? []; buffer.length > 0; buffer = this.#buffers.get(link) ?? []) {
        const batch = buffer.splice(0, MAX_INBOUND_BATCH);
        try {
          await this.#handle(link, batch);
        } catch (error) {
          this.#onError(link, error);
        }
      }
    } finally {
      this.#draining.delete(link);
    }
  }
}
