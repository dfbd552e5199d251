/**
 * Application messages carried inside session frames, encoded as JSON. Every field is checked
 * on the way in; anything unexpected raises FrameError and is dropped before storage.
 */

import { fromUtf8, utf8 } from './bytes.ts';
import type { CarryPayload } from './carry-payloads.ts';
import { validateCarryPayload } from './carry-payloads.ts';
import { FrameError } from './errors.ts';
import type { FileMeta } from './files/file-meta.ts';
import { validateFileMeta } from './files/file-meta.ts';
import type { FileWantPayload } from './files/file-payloads.ts';
import { validateFileWant } from './files/file-payloads.ts';
import type { ControlMessage } from './organiser/control-messages.ts';
import { validateControl } from './organiser/control-messages.ts';
import type { Revision } from './revisions.ts';
import type { SeqRange } from './received-seqs.ts';
import { validateSkippedBefore } from './skipped-before.ts';
import type { SkipPayload } from './skipped-seqs.ts';
import { validateSkip } from './skipped-seqs.ts';
import type { MessageRecord } from './storage-port.ts';
import type { WireRotation } from './rotation-wire.ts';
import { parseWireRotation } from './rotation-wire.ts';

export const MAX_TEXT_LENGTH = 8000;
export const MAX_ACK_IDS = 512;
const ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

/**
 * A chat message. `seq` counts per conversation and per sender install (`instance`).
 * `broadcast` marks a copy of a broadcast. A message with `control` carries that instead of
 * text (its text is empty) and is applied, not shown (see organiser/control-messages.ts).
 */
export interface ChatPayload {
  t: 'msg';
  id: string;
  instance: string;
  seq: number;
  sentAt: number;
  /** The message text; for a file message, the file's name. Empty only in a deletion. */
  text: string;
  broadcast?: true;
  control?: ControlMessage;
  /** Details of an attached file, whose bytes follow over a direct link (files/file-transfers.ts). */
  file?: FileMeta;
  /** Present in an edit or deletion for everyone of the message `revises.target`. */
  revises?: Revision;
  /** A key rotation statement; the text is then empty. Its signatures are checked in key-changes.ts. */
  rotation?: WireRotation;
  /** Seqs of the same install right below `seq` that will never be sent; only in envelopes (skipped-before.ts). */
  skipped?: SeqRange[];
}

/** Receipt: the receiver has stored these message ids. */
export interface AckPayload {
  t: 'ack';
  ids: string[];
}

/** Read receipt: the receiver showed these message ids in a visible chat. */
export interface ReadPayload {
  t: 'read';
  ids: string[];
}

/** Confirms that the receiver of `read` payloads applied these ids, so the reader stops resending them. */
export interface ReadAckPayload {
  t: 'read-ack';
  ids: string[];
}

/**
 * What the sender of the mark stored of one install of the peer: every message up to `seq`,
 * and the seqs in `above`, which lie beyond a gap.
 */
export interface SyncMark {
  instance: string;
  seq: number;
  above: number[];
}

/** Seqs listed beyond a gap per mark; a sender resends held messages beyond them. */
export const MAX_SEQS_ABOVE_MARK = 256;

/** Catch-up: the peer's own messages this side holds, sent once when a link becomes ready. */
export interface SyncPayload {
  t: 'sync';
  marks: SyncMark[];
}

export const MAX_SYNC_MARKS = 64;

/** Liveness probe; the receiver replies with a pong. */
export interface PingPayload {
  t: 'ping' | 'pong';
}

/** Ephemeral typing indicator, never stored or resent (see typing.ts). */
export interface TypingPayload {
  t: 'typing';
  isTyping: boolean;
}

/** Group layer payload; its body is checked by groups/group-wire.ts. */
export interface GroupPayload {
  t: 'grp';
  body: unknown;
}

export type WirePayload =
  | ChatPayload
  | AckPayload
  | ReadPayload
  | ReadAckPayload
  | SyncPayload
  | PingPayload
  | FileWantPayload
  | CarryPayload
  | GroupPayload
  | TypingPayload
  | SkipPayload;

/** Encodes a payload for sealing. */
export function encodePayload(payload: WirePayload): Uint8Array {
  return utf8(JSON.stringify(payload));
}

/**
 * Decodes and validates a payload opened from a session frame.
 * @throws FrameError naming the first invalid field.
 */
export function decodePayload(bytes: Uint8Array): WirePayload {
  let value: unknown;
  try {
    value = JSON.parse(fromUtf8(bytes));
  } catch (error) {
    throw new FrameError('payload is not valid JSON', { cause: error });
  }
  if (typeof value !== 'object' || value === null) throw new FrameError('payload is not an object');

  const record = value as Record<string, unknown>;
  switch (record.t) {
    case 'msg':
      return validateChat(record);
    case 'ack':
      return validateAck(record);
    case 'read':
      return { t: 'read', ids: validateIds(record, 'read') };
    case 'read-ack':
      return { t: 'read-ack', ids: validateIds(record, 'read-ack') };
    case 'sync':
      return validateSync(record);
    case 'ping':
    case 'pong':
      return { t: record.t };
    case 'file-want':
      return validateFileWant(record);
    case 'carry':
    case 'carry-result':
    case 'carry-status':
      return validateCarryPayload(record);
    case 'grp':
      return { t: 'grp', body: record.body };
    case 'typing':
      if (typeof record.isTyping !== 'boolean') throw new FrameError('typing flag is invalid');
      return { t: 'typing', isTyping: record.isTyping };
    case 'skip':
      return validateSkip(record);
    default:
      throw new FrameError(`unknown payload type ${JSON.stringify(record.t)}`);
  }
}

/**
 * Builds the wire payload of a stored outgoing message. A message deleted for everyone before
 * it went out has no text left, so it travels as a deletion of itself: the receiver stores it
 * as a deleted message (see inbox.ts), and its sequence number leaves no gap.
 */
export function chatPayloadOf(message: MessageRecord): ChatPayload {
  if (message.deletedAt !== undefined && message.revises === undefined) {
    const { id, instance, seq, sentAt } = message;

    return { t: 'msg', id, instance, seq, sentAt, text: '', revises: { action: 'delete', target: id } };
  }

  return {
    t: 'msg',
    id: message.id,
    instance: message.instance,
    seq: message.seq,
    sentAt: message.sentAt,
    text: message.text,
    ...(message.isBroadcast && { broadcast: true }),
    ...(message.control && { control: message.control }),
    ...(message.file && { file: message.file }),
    ...(message.rotation && { rotation: message.rotation }),
    ...(message.revises && { revises: message.revises }),
  };
}

function validateChat(record: Record<string, unknown>): ChatPayload {
  const chat = validateChatContent(record);

  return record.skipped === undefined ? chat : { ...chat, skipped: validateSkippedBefore(record.skipped, chat.seq) };
}

function validateChatContent(record: Record<string, unknown>): ChatPayload {
  const { id, instance, seq, sentAt, text, broadcast, control, rotation } = record;
  const revises = validateRevision(record.revises);

  if (typeof id !== 'string' || !ID_PATTERN.test(id)) throw new FrameError('message id is invalid');
  if (typeof instance !== 'string' || !ID_PATTERN.test(instance)) throw new FrameError('message instance is invalid');
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) throw new FrameError('message seq is invalid');
  if (typeof sentAt !== 'number' || !Number.isFinite(sentAt)) throw new FrameError('message time is invalid');
  if (broadcast !== undefined && broadcast !== true) throw new FrameError('message broadcast mark is invalid');
  if (revises !== undefined && (control !== undefined || rotation !== undefined)) {
    throw new FrameError('a revision carries a control message or rotation statement');
  }
  if (control !== undefined) {
    if (text !== '') throw new FrameError('control message carries text');
    if (rotation !== undefined) throw new FrameError('control message carries a rotation statement');
    return { t: 'msg', id, instance, seq, sentAt, text, control: validateControl(control) };
  }
  if (rotation !== undefined) return { t: 'msg', id, instance, seq, sentAt, text: '', rotation: validateRotation(rotation, text) };
  if (typeof text !== 'string') throw new FrameError('message text is missing');
  if (text.length > MAX_TEXT_LENGTH) throw new FrameError(`message text exceeds ${MAX_TEXT_LENGTH} characters`);
  if (revises?.action === 'delete' ? text.length > 0 : text.length === 0) {
    throw new FrameError(revises?.action === 'delete' ? 'deletion carries text' : 'message text is missing');
  }

  const chat: ChatPayload = { t: 'msg', id, instance, seq, sentAt, text, ...(broadcast === true && { broadcast }), ...(revises && { revises }) };
  if (record.file !== undefined) chat.file = validateFileMeta(record.file);

  return chat;
}

function validateRevision(value: unknown): Revision | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) throw new FrameError('message revision is invalid');

  const { action, target } = value as Record<string, unknown>;
  if (action !== 'edit' && action !== 'delete') throw new FrameError('revision action is invalid');
  if (typeof target !== 'string' || !ID_PATTERN.test(target)) throw new FrameError('revision target is invalid');

  return { action, target };
}

function validateRotation(rotation: unknown, text: unknown): WireRotation {
  if (text !== '') throw new FrameError('a rotation message carries text');

  try {
    return parseWireRotation(rotation);
  } catch (error) {
    throw new FrameError(`rotation is invalid: ${String(error)}`, { cause: error });
  }
}

function validateAck(record: Record<string, unknown>): AckPayload {
  return { t: 'ack', ids: validateIds(record, 'ack') };
}

function validateSync(record: Record<string, unknown>): SyncPayload {
  const { marks } = record;

  if (!Array.isArray(marks) || marks.length > MAX_SYNC_MARKS) throw new FrameError('sync marks are invalid');
  const valid = marks.map((mark: unknown): SyncMark => {
    const { instance, seq, above } = (typeof mark === 'object' && mark !== null ? mark : {}) as Record<string, unknown>;
    if (typeof instance !== 'string' || !ID_PATTERN.test(instance)) throw new FrameError('sync mark instance is invalid');
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) throw new FrameError('sync mark seq is invalid');
    if (!Array.isArray(above) || above.length > MAX_SEQS_ABOVE_MARK) throw new FrameError('sync mark seqs above are invalid');
    for (const held of above) {
      if (typeof held !== 'number' || !Number.isSafeInteger(held) || held <= seq) throw new FrameError('sync mark seq above is invalid');
    }

    return { instance, seq, above: above as number[] };
  });

  return { t: 'sync', marks: valid };
}

function validateIds(record: Record<string, unknown>, kind: string): string[] {
  const { ids } = record;

  if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_ACK_IDS) throw new FrameError(`${kind} ids are invalid`);
  for (const id of ids) {
    if (typeof id !== 'string' || !ID_PATTERN.test(id)) throw new FrameError(`${kind} id is invalid`);
  }

  return ids as string[];
}
