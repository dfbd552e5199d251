// Imported by the generated service worker (see importScripts in vite.config.ts). The web
// manifest's share_target POSTs shared files, text and links to /share as multipart/form-data.
// This handler stores the files in IndexedDB before any page runs, so a share survives the app
// still loading or the user creating an identity first, and then redirects to GET /share. The
// page reads the text from the redirect URL and the files from src/pwa/share-inbox.ts.

// Database, store and size cap shared with src/pwa/share-inbox.ts. The cap is MAX_FILE_BYTES
// in src/core/files/file-meta.ts (25 MiB), and test/pwa/share-inbox.test.ts checks both match.
const SHARE_INBOX_DATABASE = 'meshtext-share-inbox';
const SHARE_INBOX_STORE = 'shares';
const MAX_SHARED_FILE_BYTES = 25 * 1024 * 1024;

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'POST' || url.origin !== self.location.origin || url.pathname !== '/share') return;

  event.respondWith(receiveShare(event.request));
});

async function receiveShare(request) {
  const target = new URL('/share', self.location.origin);

  let form;
  try {
    form = await request.formData();
  } catch (error) {
    console.warn('[meshtext:share] shared form unreadable', String(error));
    target.searchParams.set('shareError', 'unreadable');
    return Response.redirect(target.href, 303);
  }

  for (const field of ['title', 'text', 'url']) {
    const value = form.get(field);
    if (typeof value === 'string' && value.trim() !== '') target.searchParams.set(field, value);
  }

  // A form submitted without a chosen file still sends one empty part with an empty name.
  const files = form.getAll('files').filter((value) => typeof value !== 'string' && (value.name !== '' || value.size > 0));
  if (files.length > 0) {
    try {
      target.searchParams.set('share', await storeShare(files));
    } catch (error) {
      console.warn('[meshtext:share] shared files not stored', files.length, String(error));
      target.searchParams.set('shareError', 'storage');
    }
  }

  return Response.redirect(target.href, 303);
}

/**
 * Stores one share and returns its id. A file over the cap keeps only its name, type and size,
 * so that the page can name it in its error without the bytes filling the disk.
 */
async function storeShare(files) {
  const id = self.crypto.randomUUID();
  const share = {
    id,
    receivedAt: Date.now(),
    files: files.map((file) => ({
      name: file.name,
      type: file.type,
      sizeBytes: file.size,
      ...(file.size <= MAX_SHARED_FILE_BYTES && { body: file }),
    })),
  };

  const database = await openShareInbox();
  try {
    await new Promise((resolve, reject) => {
      const transaction = database.transaction(SHARE_INBOX_STORE, 'readwrite');
      transaction.objectStore(SHARE_INBOX_STORE).put(share);
      transaction.oncomplete = () => resolve(undefined);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  } finally {
    database.close();
  }

  return id;
}

function openShareInbox() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(SHARE_INBOX_DATABASE, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(SHARE_INBOX_STORE, { keyPath: 'id' });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}
