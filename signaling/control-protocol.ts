/**
 * Messages of the control WebSocket at /relay/control. Each WebSocket message is one JSON
 * object with a string `type`.
 *
 * Client to relay:
 * - `{"type":"watch","addresses":[...]}` replaces the set of watched addresses.
 * - `{"type":"ping"}` requests a pong, so the client can tell a dead socket from a quiet one.
 * - `{"type":"auth","address":"mt1...","token":"<challenge>.<signature>"}` proves ownership of
 *   an address, with a challenge from GET /relay/challenge signed as for a PeerJS token. A
 *   socket authenticates once, for one address.
 * - `{"type":"mailbox-put","requestId":"...","to":"mt1...","envelope":"<base64url>","ttlMs":N}`
 *   stores a sealed envelope for `to`; `ttlMs` is optional and defaults to the maximum.
 * - `{"type":"mailbox-fetch","requestId":"...","limit":N}` requests the oldest envelopes of the
 *   socket's own address; `limit` is optional, at most 100, and the reply may hold fewer.
 * - `{"type":"mailbox-delete","requestId":"...","ids":[...]}` deletes envelopes of the
 *   socket's own address.
 *
 * Relay to client:
 * - `{"type":"presence","online":[...]}` replies to a watch with the watched addresses online now.
 * - `{"type":"presence-change","address":"mt1...","online":true}` when a watched address
 *   registers with the PeerJS relay (`online` true) or leaves it (`online` false).
 * - `{"type":"pong","time":<ms since epoch>}` replies to a ping.
 * - `{"type":"auth-ok","address":"mt1..."}` confirms a valid auth.
 * - `{"type":"mailbox-stored","requestId":"...","id":"...","expiresAt":<ms>}` once the envelope
 *   is on disk.
 * - `{"type":"mailbox-envelopes","requestId":"...","envelopes":[{"id","envelope","storedAt","expiresAt"}]}`
 *   replies to a fetch, oldest first.
 * - `{"type":"mailbox-deleted","requestId":"...","count":N}` replies to a delete.
 * - `{"type":"mailbox-error","requestId":"...","reason":"...","message":"..."}` rejects one
 *   mailbox request; the socket stays open.
 * - `{"type":"mailbox-new"}` tells an authenticated socket that envelopes arrived for it.
 * - `{"type":"error","message":"..."}` before the relay closes a socket that broke the protocol
 *   or failed to authenticate.
 */

import { isAddress } from '../src/core/address.ts';
import { MAX_ENVELOPE_BYTES } from '../src/core/crypto/envelope.ts';
import { ControlMessageError } from './control-protocol-error.ts';
import type { MailboxRejection } from './mailbox-error.ts';
import {
  base64UrlLength,
  MAX_REQUEST_ID_LENGTH,
  parseAuthRequest,
  parseMailboxRequest,
  type AuthRequest,
  type MailboxRequest,
} from './mailbox-protocol.ts';

export { ControlMessageError, type ControlRejection } from './control-protocol-error.ts';
export type { AuthRequest, MailboxRequest } from './mailbox-protocol.ts';

/** Maximum number of addresses one control socket may watch. */
export const MAX_WATCHED_ADDRESSES = 5_000;

/**
 * Maximum size of one control message: room for the larger of a watch list of the maximum
 * length (at up to 64 bytes per quoted address) and a 64 KiB envelope in base64url, plus
 * 1 KiB for the other fields.
 */
export const MAX_CONTROL_MESSAGE_BYTES =
  Math.max(MAX_WATCHED_ADDRESSES * 64, base64UrlLength(MAX_ENVELOPE_BYTES) + 2 * MAX_REQUEST_ID_LENGTH) + 1024;

/** A request from a client, after validation. Watched addresses are unique. */
export type ControlRequest = { type: 'watch'; addresses: string[] } | { type: 'ping' } | AuthRequest | MailboxRequest;

/** An envelope in a fetch reply, its body in base64url. */
export interface EnvelopeReply {
  id: string;
  envelope: string;
  storedAt: number;
  expiresAt: number;
}

/** Message sent from the relay to a control client. */
export type ControlReply =
  | { type: 'presence'; online: string[] }
  | { type: 'presence-change'; address: string; online: boolean }
  | { type: 'pong'; time: number }
  | { type: 'auth-ok'; address: string }
  | { type: 'mailbox-stored'; requestId: string; id: string; expiresAt: number }
  | { type: 'mailbox-envelopes'; requestId: string; envelopes: EnvelopeReply[] }
  | { type: 'mailbox-deleted'; requestId: string; count: number }
  | { type: 'mailbox-error'; requestId: string; reason: MailboxRejection; message: string }
  | { type: 'mailbox-new' }
  | { type: 'error'; message: string };

const REQUEST_TYPES = ['watch', 'ping', 'auth', 'mailbox-put', 'mailbox-fetch', 'mailbox-delete'];

/**
 * Parses and validates one control message.
 * @throws ControlMessageError on invalid JSON, a missing or unknown type, a watch list that
 *   is not an array of at most `maxWatchedAddresses` valid addresses, a malformed auth, or a
 *   mailbox request without a valid request id.
 * @throws MailboxRequestError for a mailbox request with a valid request id and another
 *   invalid field.
 */
export function parseControlRequest(text: string, maxWatchedAddresses = MAX_WATCHED_ADDRESSES): ControlRequest {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch (error) {
    throw new ControlMessageError('invalid-json', 'message is not valid JSON', { cause: error });
  }

  if (typeof message !== 'object' || message === null || Array.isArray(message) || !('type' in message) || typeof message.type !== 'string') {
    throw new ControlMessageError('invalid-message', 'expected a JSON object with a string "type"');
  }

  const fields = message as Record<string, unknown>;
  switch (message.type) {
    case 'ping':
      return { type: 'ping' };
    case 'watch':
      return { type: 'watch', addresses: parseWatchList(fields, maxWatchedAddresses) };
    case 'auth':
      return parseAuthRequest(fields);
    case 'mailbox-put':
    case 'mailbox-fetch':
    case 'mailbox-delete':
      return parseMailboxRequest(message.type, fields);
    default:
      throw new ControlMessageError(
        'unknown-type',
        `unknown message type ${JSON.stringify(message.type.slice(0, 40))}; expected one of ${REQUEST_TYPES.map((type) => `"${type}"`).join(', ')}`,
      );
  }
}

function parseWatchList(message: Record<string, unknown>, maxWatchedAddresses: number): string[] {
  const { addresses } = message;

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

  return [...new Set<string>(addresses as string[])];
}
