/**
 * Coalesces outbox writes. Sends made in the same task, or while a write transaction runs, go
 * into the next transaction together, so a burst of sends costs a few IndexedDB commits
 * instead of one each. Each send still resolves only after its own message is committed, and
 * nothing reaches the network before that.
 */

import type { CoreStorage, MessageRecord, OutgoingDraft, QueuedBatch } from './storage-port.ts';

/** Drafts written in one transaction at most; a bigger burst takes several. */
export const MAX_OUTBOX_WRITE_BATCH = 256;

interface PendingWrite {
  draft: OutgoingDraft;
  resolve(message: MessageRecord): void;
  reject(error: unknown): void;
}

export class OutboxWriter {
  #storage: CoreStorage;
  #onWritten: (batch: QueuedBatch) => void;
  #pending: PendingWrite[] = [];
  #isDraining = false;

  /** `onWritten` gets each committed batch, in send order, before the sends resolve. */
  constructor(storage: CoreStorage, onWritten: (batch: QueuedBatch) => void) {
    this.#storage = storage;
    this.#onWritten = onWritten;
  }

  /**
   * Queues a draft for the next write transaction and resolves with its stored record.
   * @throws the storage error of that transaction, which stored none of its drafts.
   */
  write(draft: OutgoingDraft): Promise<MessageRecord> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ draft, resolve, reject });
      if (!this.#isDraining) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#isDraining = true;
    // Let the sends made in the same task join the first transaction.
    await Promise.resolve();

    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending.splice(0, MAX_OUTBOX_WRITE_BATCH);
        await this.#writeBatch(batch);
      }
    } finally {
      this.#isDraining = false;
    }
  }

  async #writeBatch(batch: PendingWrite[]): Promise<void> {
    let written: QueuedBatch;
    try {
      written = await this.#storage.queueOutgoingBatch(batch.map((pending) => pending.draft));
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }

    this.#onWritten(written);
    batch.forEach((pending, index) => pending.resolve(written.messages[index]!));
  }
}
