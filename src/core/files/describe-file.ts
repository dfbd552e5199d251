/** Building the file details of an attachment from the user's file, before anything is stored. */

import { sha256 } from '@noble/hashes/sha2.js';
import { toBase64Url } from '../bytes.ts';
import { FileTooLargeError } from '../transfer/transfer-errors.ts';
import type { FileMeta } from './file-meta.ts';
import { FILE_PART_BYTES, MAX_FILE_BYTES, MAX_FILE_NAME_LENGTH, MAX_THUMBNAIL_LENGTH, partCountOf, validateFileMeta } from './file-meta.ts';
import type { FileBody } from './file-storage-port.ts';

export interface FileChoice {
  name: string;
  /** Media type as the browser reports it; empty when unknown. */
  type: string;
  /** Data URL of a thumbnail; dropped when longer than MAX_THUMBNAIL_LENGTH. */
  thumbnail?: string;
}

/**
 * Checks the size cap, then hashes the body part by part and returns its file details. The name
 * is cut to MAX_FILE_NAME_LENGTH and an unknown or odd media type becomes
 * `application/octet-stream`.
 * @throws FileTooLargeError over MAX_FILE_BYTES, RangeError for an empty file, both before the
 *   body is read.
 */
export async function describeFile(choice: FileChoice, body: FileBody): Promise<FileMeta> {
  if (body.size > MAX_FILE_BYTES) throw new FileTooLargeError(body.size, MAX_FILE_BYTES);
  if (body.size === 0) throw new RangeError('file is empty');

  const hash = sha256.create();
  const meta = { sizeBytes: body.size, partBytes: FILE_PART_BYTES };
  for (let index = 0; index < partCountOf(meta); index++) {
    const start = index * FILE_PART_BYTES;
    hash.update(new Uint8Array(await body.slice(start, Math.min(start + FILE_PART_BYTES, body.size)).arrayBuffer()));
  }

  const type = choice.type.toLowerCase();
  const thumbnail = choice.thumbnail && choice.thumbnail.length <= MAX_THUMBNAIL_LENGTH ? choice.thumbnail : undefined;

  return validateFileMeta({
    name: choice.name.trim().slice(0, MAX_FILE_NAME_LENGTH) || 'file',
    type: /^[a-z0-9][a-z0-9!#$&^_.+-]{0,62}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}$/.test(type) ? type : 'application/octet-stream',
    ...meta,
    sha256: toBase64Url(hash.digest()),
    ...(thumbnail && { thumbnail }),
  });
}
