/**
 * What the core needs to store attached files. The app implements it on Dexie with the file
 * bytes as blobs; tests use an in-memory fake. A file's row is keyed by the id of the message
 * that carries it.
 */

import type { MessageRecord, OutgoingDraft } from '../storage-port.ts';
import type { FileMeta } from './file-meta.ts';

/**
 * `sending`: the receiver has not confirmed every part. `receiving`: parts are missing here.
 * `complete`: every part arrived and the whole file matched its SHA-256. `failed`: the received
 * bytes did not match it.
 */
export type FileTransferState = 'sending' | 'receiving' | 'complete' | 'failed';

export interface FileRecord {
  /** Id of the message that carries the file. */
  id: string;
  conversation: string;
  direction: 'in' | 'out';
  meta: FileMeta;
  partCount: number;
  /** Parts stored here (incoming) or confirmed stored by the receiver (outgoing), counted from 0. */
  partsDone: number;
  state: FileTransferState;
}

/** Bytes of a file to send. A browser Blob or File fits. */
export interface FileBody {
  readonly size: number;
  slice(start: number, end: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

export interface FileStorage {
  /**
   * Stores an outgoing file message, its outbox entry, its file row in state `sending` and its
   * bytes, in one transaction, so a reload finds either all of them or none.
   */
  queueOutgoingFile(draft: OutgoingDraft & { file: FileMeta }, body: FileBody): Promise<MessageRecord>;
  /** Adds the row of an incoming file in state `receiving` unless one exists. */
  ensureIncomingFile(conversation: string, id: string, meta: FileMeta): Promise<void>;
  getFile(id: string): Promise<FileRecord | undefined>;
  /** Incoming files from this conversation still in state `receiving`. */
  listReceiving(conversation: string): Promise<FileRecord[]>;
  /**
   * Reads part `index` of a file: from the stored body of an outgoing file, from the stored
   * parts of an incoming one.
   * @throws RangeError when the part is not stored.
   */
  readPart(id: string, index: number): Promise<Uint8Array>;
  /**
   * Stores consecutive parts of an incoming file from index `firstIndex` on, and sets its
   * partsDone to `firstIndex + parts.length`, in one transaction.
   */
  storeParts(id: string, firstIndex: number, parts: Uint8Array[]): Promise<void>;
  /** Raises the partsDone of an outgoing file, and marks it complete when it reaches partCount. */
  confirmParts(id: string, partsDone: number): Promise<void>;
  /**
   * Joins the parts of a fully received file into its stored body and marks it complete. Does
   * nothing unless the file is still receiving.
   * @throws RangeError when fewer parts than the file has are stored.
   */
  completeIncoming(id: string): Promise<void>;
  /** Marks an incoming file failed and drops its parts. Does nothing unless it is still receiving. */
  failIncoming(id: string): Promise<void>;
}
