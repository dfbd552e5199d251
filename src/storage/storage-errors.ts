/**
 * Storage failures the user must hear about, translated from IndexedDB's DOMException names.
 */

/** The browser refused a write because the origin's storage quota is used up. */
export class StorageFullError extends Error {
  override name = 'StorageFullError';
}

/** The database was closed or deleted underneath the app (eviction, another tab's upgrade). */
export class StorageClosedError extends Error {
  override name = 'StorageClosedError';
}

/** Wraps quota and closed-database failures in named errors; passes others through. */
export function toStorageError(error: unknown): unknown {
  const name = (error as { name?: string } | null)?.name;
  const innerName = (error as { inner?: { name?: string } } | null)?.inner?.name;

  if (name === 'QuotaExceededError' || innerName === 'QuotaExceededError') {
    return new StorageFullError('storage is full: free space on the device and try again', { cause: error });
  }
  if (name === 'DatabaseClosedError' || innerName === 'InvalidStateError') {
    return new StorageClosedError('the local database was closed; reload the app', { cause: error });
  }

  return error;
}
