/** Rows of the file tables (schema version 3). */

/** The whole bytes of a file: an outgoing file as chosen, an incoming one once complete. */
export interface FileBodyRow {
  id: string;
  blob: Blob;
}

/** One stored part of an incoming file that has not arrived completely. */
export interface FilePartRow {
  fileId: string;
  index: number;
  blob: Blob;
}
