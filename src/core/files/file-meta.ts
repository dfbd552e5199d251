/**
 * What a chat message says about an attached file: name, media type, size, SHA-256 and the
 * part size its bytes travel in, plus an optional small thumbnail. The bytes themselves follow
 * over a direct link (see file-transfers.ts); the message travels like any other.
 */

import { FrameError } from '../errors.ts';

/**
 * Largest file that can be attached: 25 MiB. The receiver keeps the parts and then the whole
 * file in IndexedDB, and the sender reads it back part by part, so the cap bounds storage use,
 * not memory; it keeps one transfer to a few seconds on a local network.
 */
export const MAX_FILE_BYTES = 25 * 1024 * 1024;

/** Size of the parts a file travels and is stored in; the receiver asks for parts by index. */
export const FILE_PART_BYTES = 64 * 1024;

export const MAX_FILE_NAME_LENGTH = 255;

/** Longest thumbnail, as a data URL, that a message may carry. */
export const MAX_THUMBNAIL_LENGTH = 16 * 1024;

const MEDIA_TYPE_PATTERN = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,62}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}$/;
const SHA256_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const THUMBNAIL_PATTERN = /^data:image\/(?:jpeg|png|webp);base64,[A-Za-z0-9+/]+={0,2}$/;

export interface FileMeta {
  name: string;
  /** Media type, lowercase; `application/octet-stream` when unknown. */
  type: string;
  sizeBytes: number;
  /** SHA-256 of the whole file, base64url without padding. */
  sha256: string;
  partBytes: number;
  /** JPEG, PNG or WebP data URL of at most MAX_THUMBNAIL_LENGTH characters. */
  thumbnail?: string;
}

/** Number of parts a file of this size travels in. */
export function partCountOf(meta: Pick<FileMeta, 'sizeBytes' | 'partBytes'>): number {
  return Math.ceil(meta.sizeBytes / meta.partBytes);
}

/** Size of part `index`: partBytes, except for a shorter last part. */
export function partSizeOf(meta: Pick<FileMeta, 'sizeBytes' | 'partBytes'>, index: number): number {
  return Math.min(meta.partBytes, meta.sizeBytes - index * meta.partBytes);
}

/**
 * Checks file details from a peer or the user and returns a copy with only the known fields.
 * @throws FrameError naming the first invalid field.
 */
export function validateFileMeta(value: unknown): FileMeta {
  if (typeof value !== 'object' || value === null) throw new FrameError('file details are not an object');

  const { name, type, sizeBytes, sha256, partBytes, thumbnail } = value as Record<string, unknown>;
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_FILE_NAME_LENGTH) throw new FrameError('file name is invalid');
  if (typeof type !== 'string' || !MEDIA_TYPE_PATTERN.test(type)) throw new FrameError('file type is invalid');
  if (typeof sizeBytes !== 'number' || !Number.isSafeInteger(sizeBytes) || sizeBytes < 1 || sizeBytes > MAX_FILE_BYTES) {
    throw new FrameError(`file size must be 1..${MAX_FILE_BYTES} bytes`);
  }
  if (typeof sha256 !== 'string' || !SHA256_PATTERN.test(sha256)) throw new FrameError('file hash is invalid');
  if (partBytes !== FILE_PART_BYTES) throw new FrameError(`file part size must be ${FILE_PART_BYTES} bytes`);

  const meta: FileMeta = { name, type, sizeBytes, sha256, partBytes };
  if (thumbnail !== undefined) {
    if (typeof thumbnail !== 'string' || thumbnail.length > MAX_THUMBNAIL_LENGTH || !THUMBNAIL_PATTERN.test(thumbnail)) {
      throw new FrameError('file thumbnail is invalid');
    }
    meta.thumbnail = thumbnail;
  }

  return meta;
}
