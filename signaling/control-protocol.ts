/**
 * Messages of the control WebSocket at /relay/control. Each WebSocket message is one JSON
 * object with a string `type`.
 *
 * Client to relay:
 * - `{"type":"watch","addresses":[...]}` replaces the set of watched addresses.
 * - `{"type":"ping"}` requests a pong, so the client can tell a dead socket from a quiet one.
 *
 * Relay to client:
 * - `{"type":"presence","online":[...]}` replies to a watch with the watched addresses online now.
 * - `{"type":"presence-change","address":"mt1...","online":true}` when a watched address
 *   registers with the PeerJS relay (`online` true) or leaves it (`online` false).
 * - `{"type":"pong","time":<ms since epoch>}` answers a ping.
 * - `{"type":"error","message":"..."}` before the relay closes a socket that broke the protocol.
 */

import { isAddress } from '../src/core/address.ts';

/** Maximum number of addresses one control socket may watch. */
export const MAX_WATCHED_ADDRESSES = 5_000;

/** A request from a client, after validation. Watched addresses are unique. */
export type ControlRequest = { type: 'watch'; addresses: string[] } | { type: 'ping' };

/** Message sent from the relay to a control client. */
export type ControlReply =
  | { type: 'presence'; online: string[] }
  | { type: 'presence-change'; address: string; online: boolean }
  | { type: 'pong'; time: number }
  | { type: 'error'; message: string };

/** Machine-readable reason why a control message was rejected, for logs. */
export type ControlRejection = 'invalid-json' | 'invalid-message' | 'unknown-type' | 'invalid-watch-list';

/** Thrown when a control message breaks the protocol. The message is meant for the client. */
export class ControlMessageError extends Error {
  override name = 'ControlMessageError';
  readonly reason: ControlRejection;

  constructor(reason: ControlRejection, message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}

/**
 * Parses and validates one control message.
 * @throws ControlMessageError on invalid JSON, a missing or unknown type, or a watch list that
 *   is not an array of at most `maxWatchedAddresses` valid addresses.
 */
export function parseControlRequest(text: string, maxWatchedAddresses = MAX_WATCHED_ADDRESSES): ControlRequest {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch (error) {
    throw new ControlMessageError('invalid-json', 'message is not valid JSON', { cause: error });
  }

  if (typeof message !== 'object' || message === null || !('type' in message) || typeof message.type !== 'string') {
    throw new ControlMessageError('invalid-message', 'expected a JSON object with a string "type"');
  }

  switch (message.type) {
    case 'ping':
      return { type: 'ping' };
    case 'watch':
      return { type: 'watch', addresses: parseWatchList(message, maxWatchedAddresses) };
    default:
      throw new ControlMessageError(
        'unknown-type',
        `unknown message type ${JSON.stringify(message.type.slice(0, 40))}; expected "watch" or "ping"`,
      );
  }
}

function parseWatchList(message: object, maxWatchedAddresses: number): string[] {
  const addresses = 'addresses' in message ? message.addresses : undefined;

  if (!Array.isArray(addresses)) {
    throw new ControlMessageError('invalid-watch-list', 'watch.addresses must be an array of addresses');
  }

  if (addresses.length > maxWatchedAddresses) {
    throw new ControlMessageError(
      'invalid-watch-list',
      `watch.addresses may list at most ${maxWatchedAddresses} addresses, got ${addresses.length}`,
    );
  }

  const invalidIndex = addresses.findIndex((address) => !isAddress(address));
  if (invalidIndex >= 0) {
    throw new ControlMessageError('invalid-watch-list', `watch.addresses[${invalidIndex}] is not a valid Meshtext address`);
  }

  return [...new Set<string>(addresses)];
}
