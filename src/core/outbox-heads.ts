/**
 * Tells the connected tab whether the outbox contains messages it has not started delivering.
 * Messages this tab writes go out through its own send path, which also sends every lower
 * waiting seq of their conversation first. So only a seq above the highest one this tab
 * handled, written by another tab, needs a delivery round. Removals (receipts) never do.
 */

/** The highest outbox seq of one conversation. */
export interface OutboxHead {
  conversation: string;
  seq: number;
}

export class OutboxHeads {
  #handled = new Map<string, number>();

  /** Records that this tab is delivering the conversation's messages up to `seq`. */
  noteHandled(conversation: string, seq: number): void {
    this.#handled.set(conversation, Math.max(seq, this.#handled.get(conversation) ?? 0));
  }

  /**
   * Returns true when a head is above what this tab handled, and records every head as
   * handled, because the caller starts a delivery round for them.
   */
  takeUnhandled(heads: OutboxHead[]): boolean {
    let hasUnhandled = false;
    for (const { conversation, seq } of heads) {
      if (seq <= (this.#handled.get(conversation) ?? 0)) continue;

      hasUnhandled = true;
      this.#handled.set(conversation, seq);
    }

    return hasUnhandled;
  }
}
