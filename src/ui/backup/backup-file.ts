/** Naming, saving and reading backup files in the browser. */

/** Files above this size are rejected before reading, since a backup of text messages stays far below it. */
export const MAX_BACKUP_FILE_BYTES = 256 * 1024 * 1024;

/** Returns the suggested file name, `meshtext-backup-YYYY-MM-DD.meshtext`, with the local date of `timestampMs`. */
export function backupFileName(timestampMs: number): string {
  const date = new Date(timestampMs);
  const year = date.getFullYear();
  const month = String(date.getMonth() + 1).padStart(2, '0');
  const day = String(date.getDate()).padStart(2, '0');

  return `meshtext-backup-${year}-${month}-${day}.meshtext`;
}

/** Offers text as a file download under `fileName`. */
export function downloadTextFile(text: string, fileName: string): void {
  // octet-stream keeps mobile browsers from appending .json or .txt to the name.
  const url = URL.createObjectURL(new Blob([text], { type: 'application/octet-stream' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();

  // Revoking at once can cancel the download in some browsers, so the URL lives a while longer.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
