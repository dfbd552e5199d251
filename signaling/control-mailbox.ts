/**
 * Mailbox requests of authenticated control sockets: store, fetch and delete. Each request
 * gets one reply that carries its request id. Stores are limited per sender address; fetches and
 * deletes only ever touch the mailbox of the socket's own address.
 */

import { addressForLog, describeError, type Logger } from './logger.ts';
import type { ControlReply, MailboxRequest } from './control-protocol.ts';
import { MailboxError, type Mailbox } from './mailbox.ts';
import type { RelayMetrics } from './metrics.ts';
import type { KeyedRateLimiter } from './token-bucket.ts';

/** Dependencies of the mailbox request handler. */
export interface MailboxRequestHandlerOptions {
  mailbox: Mailbox;
  /** Token buckets of mailbox stores, keyed by sender address. */
  putLimiter: KeyedRateLimiter;
  logger: Logger;
  metrics: RelayMetrics;
}

/** Serves one mailbox request. `reply` may be called after the socket closed; it then drops the reply. */
export type MailboxRequestHandler = (request: MailboxRequest, address: string | undefined, reply: (message: ControlReply) => void) => void;

/** Creates the handler that control.ts calls for every mailbox request. */
export function createMailboxRequestHandler(options: MailboxRequestHandlerOptions): MailboxRequestHandler {
  const { mailbox, putLimiter, logger, metrics } = options;

  const reject = (request: MailboxRequest, error: MailboxError, reply: (message: ControlReply) => void): void => {
    reply({ type: 'mailbox-error', requestId: request.requestId, reason: error.reason, message: error.message });
  };

  const store = (request: Extract<MailboxRequest, { type: 'mailbox-put' }>, sender: string, reply: (message: ControlReply) => void): void => {
    if (!putLimiter.take(sender)) {
      metrics.mailboxRejections.inc({ reason: 'rate-limited' });
      logger.debug('envelope rejected', { reason: 'rate-limited', from: addressForLog(sender) });
      reject(request, new MailboxError('rate-limited', 'too many stores from this address; slow down and retry'), reply);
      return;
    }

    mailbox.store({ sender, recipient: request.to, body: request.envelope, ttlMs: request.ttlMs }).then(
      (receipt) => reply({ type: 'mailbox-stored', requestId: request.requestId, id: receipt.id, expiresAt: receipt.expiresAt }),
      (error: unknown) => {
        if (error instanceof MailboxError) {
          reject(request, error, reply);
          return;
        }
        logger.error('envelope store failed', { error: describeError(error) });
        reject(request, new MailboxError('unavailable', 'the relay could not store the envelope; try again later'), reply);
      },
    );
  };

  return (request, address, reply) => {
    if (address === undefined) {
      metrics.mailboxRejections.inc({ reason: 'unauthenticated' });
      const error = new MailboxError('unauthenticated', 'authenticate this socket with an "auth" message before using the mailbox');
      reject(request, error, reply);
      return;
    }

    try {
      switch (request.type) {
        case 'mailbox-put':
          store(request, address, reply);
          return;
        case 'mailbox-fetch': {
          const envelopes = mailbox.fetch(address, request.limit).map((envelope) => ({
            id: envelope.id,
            envelope: envelope.body.toString('base64url'),
            storedAt: envelope.storedAt,
            expiresAt: envelope.expiresAt,
          }));
          logger.debug('envelopes fetched', { to: addressForLog(address), envelopes: envelopes.length });
          reply({ type: 'mailbox-envelopes', requestId: request.requestId, envelopes });
          return;
        }
        case 'mailbox-delete': {
          const count = mailbox.delete(address, request.ids);
          logger.debug('envelopes deleted', { to: addressForLog(address), envelopes: count });
          reply({ type: 'mailbox-deleted', requestId: request.requestId, count });
          return;
        }
      }
    } catch (error) {
      logger.error('mailbox request failed', { type: request.type, error: describeError(error) });
      metrics.mailboxRejections.inc({ reason: 'unavailable' });
      reject(request, new MailboxError('unavailable', 'the relay mailbox failed; try again later'), reply);
    }
  };
}
