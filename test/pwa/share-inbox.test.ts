import 'fake-indexeddb/auto';
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_FILE_BYTES } from '../../src/core/files/file-meta.ts';
import {
  deleteShare,
  deleteStaleShares,
  readShare,
  readSharedFilesReference,
  SHARE_INBOX_DATABASE,
  SHARE_INBOX_STORE,
  STALE_SHARE_AGE_MS,
  type StoredShare,
} from '../../src/pwa/share-inbox.ts';

/** Stores a share as public/sw-share-target.js does: raw IndexedDB, version 1. */
async function storeAsServiceWorker(share: StoredShare): Promise<void> {
  const database = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(SHARE_INBOX_DATABASE, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(SHARE_INBOX_STORE, { keyPath: 'id' });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  await new Promise<void>((resolve, reject) => {
    const transaction = database.transaction(SHARE_INBOX_STORE, 'readwrite');
    transaction.objectStore(SHARE_INBOX_STORE).put(share);
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error);
  });
  database.close();
}

afterEach(async () => {
  await new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(SHARE_INBOX_DATABASE);
    request.onsuccess = resolve;
    request.onerror = resolve;
  });
});

describe('readSharedFilesReference', () => {
  it.each([
    ['/share', '?share=abc&text=hi', { kind: 'stored', id: 'abc' }],
    ['/share', '?shareError=storage', { kind: 'error', error: 'storage' }],
    ['/share', '?shareError=unreadable', { kind: 'error', error: 'unreadable' }],
    ['/share', '?shareError=other', undefined],
    ['/share', '?text=only+text', undefined],
    ['/', '?share=abc', undefined],
  ])('%s%s gives %j', (pathname, search, expected) => {
    expect(readSharedFilesReference(pathname, search)).toEqual(expected);
  });
});

describe('share inbox', () => {
  it('reads a share the service worker stored', async () => {
    const share: StoredShare = {
      id: 'share-1',
      receivedAt: 1_700_000_000_000,
      files: [
        { name: 'a.txt', type: 'text/plain', sizeBytes: 3, body: new Blob(['abc']) },
        { name: 'big.mov', type: 'video/quicktime', sizeBytes: MAX_FILE_BYTES + 1 },
      ],
    };
    await storeAsServiceWorker(share);

    const read = await readShare('share-1');

    expect(read?.files.map(({ name, sizeBytes }) => ({ name, sizeBytes }))).toEqual([
      { name: 'a.txt', sizeBytes: 3 },
      { name: 'big.mov', sizeBytes: MAX_FILE_BYTES + 1 },
    ]);
    expect(read?.files[1]?.body).toBeUndefined();
  });

  it('returns undefined for a missing share', async () => {
    expect(await readShare('never-stored')).toBeUndefined();
  });

  it('deletes a share, twice without error', async () => {
    await storeAsServiceWorker({ id: 'share-2', receivedAt: 1, files: [] });

    await deleteShare('share-2');
    await deleteShare('share-2');

    expect(await readShare('share-2')).toBeUndefined();
  });
});

describe('deleteStaleShares', () => {
  it('deletes only shares older than the limit', async () => {
    const nowMs = 1_700_000_000_000;
    await storeAsServiceWorker({ id: 'old', receivedAt: nowMs - STALE_SHARE_AGE_MS - 1, files: [] });
    await storeAsServiceWorker({ id: 'recent', receivedAt: nowMs - 60_000, files: [] });

    expect(await deleteStaleShares(nowMs)).toBe(1);

    expect(await readShare('old')).toBeUndefined();
    expect(await readShare('recent')).toBeDefined();
  });

  it('does nothing on an empty inbox', async () => {
    expect(await deleteStaleShares(Date.now())).toBe(0);
  });
});

describe('public/sw-share-target.js', () => {
  it('uses the same database, store and size cap', async () => {
    const source = await readFile(new URL('../../public/sw-share-target.js', import.meta.url), 'utf8');

    expect(source).toContain(`const SHARE_INBOX_DATABASE = '${SHARE_INBOX_DATABASE}';`);
    expect(source).toContain(`const SHARE_INBOX_STORE = '${SHARE_INBOX_STORE}';`);
    const cap = /const MAX_SHARED_FILE_BYTES = (\d+) \* (\d+) \* (\d+);/.exec(source);
    expect(cap, 'MAX_SHARED_FILE_BYTES declaration').not.toBeNull();
    expect(Number(cap?.[1]) * Number(cap?.[2]) * Number(cap?.[3])).toBe(MAX_FILE_BYTES);
  });
});
