/**
 * Notices when the browser deleted Meshtext's database, so that the app can report it instead of
 * failing quietly. Browsers delete site data under storage pressure unless it is persistent,
 * and a user can clear it in the site settings.
 *
 * Two cases: the database closes under a running tab (Chromium fires `close` on every open
 * connection when site data is cleared), or the app starts without an identity on a device
 * that had one. The second relies on a marker in localStorage.
 * NOTE: a browser that clears localStorage together with IndexedDB leaves no marker, and the
 * app then starts as on a new device.
 */

import type { MeshtextDatabase } from '../storage/database.ts';

const IDENTITY_MARKER_KEY = 'meshtext.hadIdentity';

/** Records that this device has an identity. */
export function rememberIdentity(): void {
  try {
    localStorage.setItem(IDENTITY_MARKER_KEY, '1');
  } catch {
    // Without localStorage a later loss goes unnoticed, which is no worse than before.
  }
}

/** Tells whether this device held an identity that the database no longer contains. */
export function hadIdentity(): boolean {
  try {
    return localStorage.getItem(IDENTITY_MARKER_KEY) === '1';
  } catch {
    return false;
  }
}

/**
 * Calls `onLost` when the browser closes the database under the running app. Dexie's own
 * `close` event also fires when an open fails or the app closes the database, so this listens
 * to the native connection instead, which closes only when the browser forces it.
 */
export function watchDatabaseLoss(db: MeshtextDatabase, onLost: () => void): void {
  db.on(
    'ready',
    () => {
      db.backendDB().addEventListener('close', onLost, { once: true });
    },
    true,
  );
}
