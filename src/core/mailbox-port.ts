/**
 * Port to a store-and-forward mailbox such as the relay's. The core puts sealed envelopes for
 * a recipient, and fetches and deletes the user's own envelopes after proof of key.
 */

export interface StoredEnvelope {
  /** Id the mailbox gave the envelope; used to delete it. */
  id: string;
  envelope: Uint8Array;
}

/** Reason a mailbox rejected a request, as the relay reports it. */
export type MailboxErrorReason = 'quota-exceeded' | 'too-large' | 'invalid' | 'rate-limited' | 'unavailable' | 'unauthenticated';

export class MailboxError extends Error {
  override name = 'MailboxError';
  readonly reason: MailboxErrorReason;

  constructor(reason: MailboxErrorReason, message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}

export interface Mailbox {
  /** Tells whether the mailbox can take requests now (connected and authenticated). */
  isAvailable(): boolean;
  /**
   * Stores an envelope for `recipient`; resolves only once the mailbox confirmed it is stored.
   * @throws MailboxError when it was refused or the mailbox is unreachable.
   */
  put(recipient: string, envelope: Uint8Array, ttlMs: number): Promise<void>;
  /** Fetches up to `limit` of the user's own envelopes, oldest first. */
  fetch(limit: number): Promise<StoredEnvelope[]>;
  /** Deletes the user's own envelopes by id. */
  delete(ids: string[]): Promise<void>;
  /** Registers the handler called when the mailbox becomes available or receives new envelopes. */
  onReady(handler: () => void): void;
}
