/** The reads behind attachments, written as Dexie queries for `LiveQuery`. */

import type { FileRecord } from '../../core/files/file-storage-port.ts';
import type { MeshtextDatabase } from '../../storage/database.ts';
import type { FileBodyRow } from '../../storage/file-tables.ts';

/** Reads the transfer state of the file attached to a message. */
export function getFileTransfer(db: MeshtextDatabase, messageId: string): Promise<FileRecord | undefined> {
  return db.files.get(messageId);
}

/** Reads the stored bytes of the file attached to a message. */
export function getFileBody(db: MeshtextDatabase, messageId: string): Promise<FileBodyRow | undefined> {
  return db.fileBodies.get(messageId);
}
