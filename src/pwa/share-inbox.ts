/**
 * Files that another app shared to Meshtext. public/sw-share-target.js stores them in this
 * IndexedDB database when the share arrives, and redirects to `/share?share=<id>`. The main
 * screen reads the share with that id, lets the user choose the chat, and deletes it once the
 * files are queued or the user cancels, and the app deletes leftovers older than
 * STALE_SHARE_AGE_MS when it starts. The database is separate from the app's Dexie database
 * because the service worker, which has no Dexie, creates it.
 */

export const SHARE_INBOX_DATABASE = 'meshtext-share-inbox';
export const SHARE_INBOX_STORE = 'shares';

/**
 * Age after which a share that was never sent nor dismissed is deleted, for example because
 * its tab closed while the chat dialog was open.
 */
export const STALE_SHARE_AGE_MS = 7 * 24 * 60 * 60 * 1000;

/** One shared file. `body` is missing when the file is over the cap, so only its size is known. */
export interface SharedFile {
  name: string;
  type: string;
  sizeBytes: number;
  body?: Blob;
}

export interface StoredShare {
  id: string;
  /** When the service worker stored the share, in milliseconds since the epoch. */
  receivedAt: number;
  files: SharedFile[];
}

/** Reason the service worker could not store the shared files, from the `shareError` parameter. */
export type ShareError = 'unreadable' | 'storage';

/** Shared files named by the page URL: the id of the stored share, or the reason there is none. */
export type SharedFilesReference = { kind: 'stored'; id: string } | { kind: 'error'; error: ShareError };

/**
 * Reads the shared files' reference from a share target URL's query. Call it before
 * takeSharedTextFromLocation, which replaces the URL.
 */
export function readSharedFilesReference(pathname: string, search: string): SharedFilesReference | undefined {
  if (pathname !== '/share') return undefined;

  const params = new URLSearchParams(search);
  const id = params.get('share');
  if (id) return { kind: 'stored', id };

  const error = params.get('shareError');
  if (error === 'unreadable' || error === 'storage') return { kind: 'error', error };

  return undefined;
}

/** Reads the stored share with this id, or returns undefined when it is not (or no longer) stored. */
export async function readShare(id: string): Promise<StoredShare | undefined> {
  return runOnStore('readonly', (store) => store.get(id) as IDBRequest<StoredShare | undefined>);
}

/** Deletes the stored share with this id. Deleting a missing share does nothing. */
export async function deleteShare(id: string): Promise<void> {
  await runOnStore('readwrite', (store) => store.delete(id));
}

/** Deletes the shares received more than `maxAgeMs` before `nowMs`, and returns how many. */
export async function deleteStaleShares(nowMs: number, maxAgeMs = STALE_SHARE_AGE_MS): Promise<number> {
  const shares = await runOnStore('readonly', (store) => store.getAll() as IDBRequest<StoredShare[]>);
  const stale = shares.filter((share) => nowMs - share.receivedAt > maxAgeMs);

  for (const share of stale) await deleteShare(share.id);

  return stale.length;
}

async function runOnStore<T>(mode: IDBTransactionMode, operate: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const database = await openShareInbox();

  try {
    return await new Promise<T>((resolve, reject) => {
      const transaction = database.transaction(SHARE_INBOX_STORE, mode);
      const request = operate(transaction.objectStore(SHARE_INBOX_STORE));
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () => reject(transaction.error ?? new Error('share inbox transaction failed'));
      transaction.onabort = () => reject(transaction.error ?? new Error('share inbox transaction aborted'));
    });
  } finally {
    database.close();
  }
}

/** Opens the database at version 1, creating its store as the service worker does. */
function openShareInbox(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(SHARE_INBOX_DATABASE, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(SHARE_INBOX_STORE, { keyPath: 'id' });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('share inbox could not be opened'));
  });
}
