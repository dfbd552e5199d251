/**
 * Parsing of the authentication and mailbox messages of the control socket; the other
 * messages and the overall format are in control-protocol.ts.
 *
 * A mailbox request without a usable `requestId` breaks the protocol (ControlMessageError,
 * the socket is closed), because the reply could not be matched to it. Once the request id is
 * known, an invalid field is reported as a `mailbox-error` for that request
 * (MailboxRequestError) and the socket stays open.
 */

import { isAddress } from '../src/core/address.ts';
import { ControlMessageError } from './control-protocol-error.ts';
import { MailboxError, type MailboxRejection } from './mailbox-error.ts';

/** Maximum length of a client's request id. */
export const MAX_REQUEST_ID_LENGTH = 64;
/** Maximum number of envelopes one fetch returns, and the default. */
export const MAX_FETCH_LIMIT = 100;
/** Maximum number of ids in one delete. */
export const MAX_DELETE_IDS = 100;
/** Maximum length of an auth token: a challenge of up to 128 characters, a dot and a signature. */
const MAX_TOKEN_LENGTH = 256;

const BASE64URL_PATTERN = /^[A-Za-z0-9_-]+$/;
const ENVELOPE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Authentication of a control socket with the same proof as a PeerJS registration. */
export interface AuthRequest {
  type: 'auth';
  address: string;
  token: string;
}

/** Mailbox requests after validation; `envelope` is decoded. */
export type MailboxRequest =
  | { type: 'mailbox-put'; requestId: string; to: string; envelope: Buffer; ttlMs: number | undefined }
  | { type: 'mailbox-fetch'; requestId: string; limit: number }
  | { type: 'mailbox-delete'; requestId: string; ids: string[] };

/** A mailbox request that has a request id but an invalid field. */
export class MailboxRequestError extends MailboxError {
  override name = 'MailboxRequestError';
  readonly requestId: string;

  constructor(requestId: string, reason: MailboxRejection, message: string) {
    super(reason, message);
    this.requestId = requestId;
  }
}

/**
 * Validates an auth message.
 * @throws ControlMessageError when the address or the token is missing or malformed.
 */
export function parseAuthRequest(message: Record<string, unknown>): AuthRequest {
  const { address, token } = message;

  if (!isAddress(address)) throw new ControlMessageError('invalid-auth', 'auth.address must be a valid Meshtext address');
  if (typeof token !== 'string' || token === '' || token.length > MAX_TOKEN_LENGTH) {
    throw new ControlMessageError('invalid-auth', 'auth.token must be a "<challenge>.<signature>" string from /relay/challenge');
  }

  return { type: 'auth', address, token };
}

/**
 * Validates a mailbox message whose type is already known to be a mailbox type.
 * @throws ControlMessageError without a valid request id, MailboxRequestError for any other
 *   invalid field.
 */
export function parseMailboxRequest(type: MailboxRequest['type'], message: Record<string, unknown>): MailboxRequest {
  const requestId = readRequestId(message);

  switch (type) {
    case 'mailbox-put':
      return {
        type,
        requestId,
        to: readRecipient(requestId, message.to),
        envelope: readEnvelope(requestId, message.envelope),
        ttlMs: readTtl(requestId, message.ttlMs),
      };
    case 'mailbox-fetch':
      return { type, requestId, limit: readLimit(requestId, message.limit) };
    case 'mailbox-delete':
      return { type, requestId, ids: readIds(requestId, message.ids) };
  }
}

/** Returns the number of base64url characters that encode `byteCount` bytes, without padding. */
export function base64UrlLength(byteCount: number): number {
  return Math.ceil((byteCount * 4) / 3);
}

function readRequestId(message: Record<string, unknown>): string {
  const { requestId } = message;

  if (typeof requestId !== 'string' || requestId === '' || requestId.length > MAX_REQUEST_ID_LENGTH) {
    throw new ControlMessageError(
      'invalid-request-id',
      `mailbox requests need a "requestId" string of 1 to ${MAX_REQUEST_ID_LENGTH} characters`,
    );
  }

  return requestId;
}

function readRecipient(requestId: string, to: unknown): string {
  if (!isAddress(to)) throw new MailboxRequestError(requestId, 'invalid', 'mailbox-put.to must be a valid Meshtext address');

  return to;
}

function readEnvelope(requestId: string, envelope: unknown): Buffer {
  if (typeof envelope !== 'string' || !BASE64URL_PATTERN.test(envelope) || envelope.length % 4 === 1) {
    throw new MailboxRequestError(requestId, 'invalid', 'mailbox-put.envelope must be a non-empty base64url string without padding');
  }

  return Buffer.from(envelope, 'base64url');
}

function readTtl(requestId: string, ttlMs: unknown): number | undefined {
  if (ttlMs === undefined) return undefined;
  if (typeof ttlMs !== 'number') throw new MailboxRequestError(requestId, 'invalid', 'mailbox-put.ttlMs must be a number of milliseconds');

  return ttlMs;
}

function readLimit(requestId: string, limit: unknown): number {
  if (limit === undefined) return MAX_FETCH_LIMIT;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_FETCH_LIMIT) {
    throw new MailboxRequestError(requestId, 'invalid', `mailbox-fetch.limit must be an integer from 1 to ${MAX_FETCH_LIMIT}`);
  }

  return limit;
}

function readIds(requestId: string, ids: unknown): string[] {
  const isValid = Array.isArray(ids)
    && ids.length >= 1
    && ids.length <= MAX_DELETE_IDS
    && ids.every((id) => typeof id === 'string' && ENVELOPE_ID_PATTERN.test(id));

  if (!isValid) {
    throw new MailboxRequestError(requestId, 'invalid', `mailbox-delete.ids must be an array of 1 to ${MAX_DELETE_IDS} envelope ids`);
  }

  return [...new Set<string>(ids as string[])];
}
