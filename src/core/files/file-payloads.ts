/**
 * Link payloads of file transfer. A receiver asks for parts with a JSON `file-want`:
 *
 *   { t: 'file-want', id, have, from, to }
 *
 * meaning "I stored parts [0, have) of file `id`; send parts [from, to)". The sender answers
 * with one binary `file-part` per part, a plaintext laid out as
 *
 *   0x02 | header length (u16, big-endian) | header JSON { t: 'file-part', id, index } | bytes
 *
 * so file bytes cross without base64. A part is larger than one frame and is fragmented
 * (see transfer/fragments.ts).
 */

import { fromUtf8, utf8 } from '../bytes.ts';
import { FrameError } from '../errors.ts';

export const BINARY_PAYLOAD_MARKER = 0x02;

/** Most parts one `file-want` may ask for. */
export const MAX_WANTED_PARTS = 64;

const ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
const MAX_HEADER_BYTES = 512;

export interface FileWantPayload {
  t: 'file-want';
  id: string;
  have: number;
  from: number;
  to: number;
}

export interface FilePartPayload {
  t: 'file-part';
  id: string;
  index: number;
  bytes: Uint8Array;
}

export type FilePayload = FileWantPayload | FilePartPayload;

export function isFilePayload(payload: { t: string }): payload is FilePayload {
  return payload.t === 'file-want' || payload.t === 'file-part';
}

/** Encodes a part as a binary plaintext. */
export function encodeFilePart(part: FilePartPayload): Uint8Array {
  const header = utf8(JSON.stringify({ t: part.t, id: part.id, index: part.index }));
  const plaintext = new Uint8Array(3 + header.length + part.bytes.length);
  plaintext[0] = BINARY_PAYLOAD_MARKER;
  new DataView(plaintext.buffer).setUint16(1, header.length);
  plaintext.set(header, 3);
  plaintext.set(part.bytes, 3 + header.length);

  return plaintext;
}

/**
 * Decodes a binary plaintext into a file part; its bytes are a view into `plaintext`.
 * @throws FrameError for a truncated plaintext or an invalid header.
 */
export function decodeFilePart(plaintext: Uint8Array): FilePartPayload {
  if (plaintext.length < 3) throw new FrameError('binary payload is truncated');

  const headerBytes = new DataView(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength).getUint16(1);
  if (headerBytes > MAX_HEADER_BYTES || 3 + headerBytes > plaintext.length) throw new FrameError('binary payload header is invalid');

  let header: unknown;
  try {
    header = JSON.parse(fromUtf8(plaintext.subarray(3, 3 + headerBytes)));
  } catch (error) {
    throw new FrameError('binary payload header is not valid JSON', { cause: error });
  }
  const { t, id, index } = (header ?? {}) as Record<string, unknown>;
  if (t !== 'file-part') throw new FrameError(`unknown binary payload type ${JSON.stringify(t)}`);
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) throw new FrameError('file part id is invalid');
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) throw new FrameError('file part index is invalid');

  return { t, id, index, bytes: plaintext.subarray(3 + headerBytes) };
}

/**
 * Validates a decoded JSON `file-want`.
 * @throws FrameError naming the first invalid field.
 */
export function validateFileWant(record: Record<string, unknown>): FileWantPayload {
  const { id, have, from, to } = record;

  if (typeof id !== 'string' || !ID_PATTERN.test(id)) throw new FrameError('file want id is invalid');
  for (const value of [have, from, to]) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new FrameError('file want range is invalid');
  }
  const range = { have: have as number, from: from as number, to: to as number };
  if (range.have > range.from || range.from > range.to || range.to - range.from > MAX_WANTED_PARTS) {
    throw new FrameError('file want range is invalid');
  }

  return { t: 'file-want', id, ...range };
}
