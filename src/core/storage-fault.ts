/**
 * Kinds of storage failure the user is told about while incoming messages cannot be stored.
 * Such messages are not acknowledged, so their senders keep them and retry.
 */

/** 'full': the quota is used up; 'closed': the database was closed or deleted; 'failed': any other error. */
export type StorageFault = 'full' | 'closed' | 'failed';

/**
 * Classifies a storage error by its name: the adapter's StorageFullError and
 * StorageClosedError, or the IndexedDB and Dexie names they wrap.
 */
export function classifyStorageFault(error: unknown): StorageFault {
  const name = (error as { name?: unknown } | null)?.name;

  if (name === 'StorageFullError' || name === 'QuotaExceededError') return 'full';
  if (name === 'StorageClosedError' || name === 'DatabaseClosedError' || name === 'InvalidStateError') return 'closed';

  return 'failed';
}
