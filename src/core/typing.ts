/**
 * Typing indicators. A typing signal is ephemeral: it goes only over a ready link, never into
 * the outbox or the mailbox, and a lost one is not resent. Both ends limit the rate, so a fast
 * typist or a hostile peer costs at most one frame every few seconds.
 */

/** Shortest time between two "typing" signals to one peer while the user keeps typing. */
export const TYPING_SIGNAL_INTERVAL_MS = 3_000;
/** Time a received "typing" signal shows unless a stop signal or a message ends it earlier. */
export const TYPING_DISPLAY_MS = 6_000;
/** Shortest time between two typing signals accepted from one peer; earlier ones are dropped. */
export const MIN_TYPING_RECEIVE_INTERVAL_MS = 1_000;

/** Decides which typing signals to send and which received ones to pass on. */
export class TypingLimiter {
  /** Time the last "typing" signal went to each peer, removed once "stopped" went out. */
  #sentAt = new Map<string, number>();
  #receivedAt = new Map<string, number>();

  /**
   * Tells whether a signal should go out now: "typing" at most once per
   * TYPING_SIGNAL_INTERVAL_MS, and "stopped" only after a "typing" went out.
   */
  shouldSend(address: string, isTyping: boolean, now: number): boolean {
    const lastSentAt = this.#sentAt.get(address);

    if (!isTyping) {
      this.#sentAt.delete(address);
      return lastSentAt !== undefined;
    }
    if (lastSentAt !== undefined && now - lastSentAt < TYPING_SIGNAL_INTERVAL_MS) return false;

    this.#sentAt.set(address, now);
    return true;
  }

  /** Tells whether a received signal should be passed on; "stopped" always is. */
  shouldAccept(address: string, isTyping: boolean, now: number): boolean {
    if (!isTyping) {
      this.#receivedAt.delete(address);
      return true;
    }

    const lastReceivedAt = this.#receivedAt.get(address);
    if (lastReceivedAt !== undefined && now - lastReceivedAt < MIN_TYPING_RECEIVE_INTERVAL_MS) return false;

    this.#receivedAt.set(address, now);
    return true;
  }

  /** Forgets a peer, for example when its link closes. */
  forget(address: string): void {
    this.#sentAt.delete(address);
    this.#receivedAt.delete(address);
  }
}
