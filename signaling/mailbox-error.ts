/**
 * The error of a mailbox request that the relay rejects without closing the socket. Its
 * reason and message go to the client in a `mailbox-error` reply.
 */

/** Machine-readable reason of a rejected mailbox request, sent to the client. */
export type MailboxRejection = 'quota-exceeded' | 'too-large' | 'invalid' | 'rate-limited' | 'unauthenticated' | 'unavailable';

/** Thrown or rejected with when a mailbox request cannot be served. The message is for the client. */
export class MailboxError extends Error {
  override name = 'MailboxError';
  readonly reason: MailboxRejection;

  constructor(reason: MailboxRejection, message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}
