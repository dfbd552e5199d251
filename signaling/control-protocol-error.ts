/**
 * The error of a control message that breaks the protocol. It lives apart from
 * control-protocol.ts so that the parsers of single message types can throw it without an
 * import cycle.
 */

/** Machine-readable reason why a control message was rejected, for logs and metrics. */
export type ControlRejection =
  | 'invalid-json'
  | 'invalid-message'
  | 'unknown-type'
  | 'invalid-watch-list'
  | 'invalid-auth'
  | 'invalid-request-id';

/** Thrown when a control message breaks the protocol. The message is meant for the client. */
export class ControlMessageError extends Error {
  override name = 'ControlMessageError';
  readonly reason: ControlRejection;

  constructor(reason: ControlRejection, message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}
