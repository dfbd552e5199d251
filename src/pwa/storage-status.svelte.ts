/**
 * Persistent storage and the space Meshtext uses. Without persistence the browser may delete
 * the database under storage pressure, and with it the identity, contacts and messages.
 */

import { createLogger } from '../app/logger.ts';

const log = createLogger('pwa');

export class StorageStatus {
  /** Undefined until read, or when the browser has no StorageManager. */
  isPersisted = $state<boolean | undefined>(undefined);
  usageBytes = $state<number | undefined>(undefined);
  quotaBytes = $state<number | undefined>(undefined);
  /** The browser deleted the database while the app was running. */
  isDatabaseLost = $state(false);
  /** The app started without an identity on a device that had one. */
  wasIdentityLost = $state(false);

  /**
   * Requests that the browser keep this site's data. Chromium decides without a prompt
   * (installed apps and bookmarked sites qualify), and Firefox prompts the user.
   */
  async requestPersistence(): Promise<void> {
    if (!navigator.storage?.persist) return;

    try {
      this.isPersisted = (await navigator.storage.persisted()) || (await navigator.storage.persist());
      log.info('persistent storage', { isPersisted: this.isPersisted });
    } catch (error) {
      log.warn('persistent storage request failed', { error: String(error) });
    }
  }

  /** Reads persistence, usage and quota again. */
  async refresh(): Promise<void> {
    if (!navigator.storage?.estimate) return;

    try {
      const [isPersisted, estimate] = await Promise.all([navigator.storage.persisted(), navigator.storage.estimate()]);
      this.isPersisted = isPersisted;
      this.usageBytes = estimate.usage;
      this.quotaBytes = estimate.quota;
    } catch (error) {
      log.warn('storage estimate failed', { error: String(error) });
    }
  }
}

/** Formats a byte count for people, in kB, MB or GB with at most one decimal. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unitIndex = 0;

  while (value >= 1000 && unitIndex < units.length - 1) {
    value /= 1000;
    unitIndex += 1;
  }
  const rounded = unitIndex === 0 ? String(value) : value.toFixed(value < 10 ? 1 : 0);

  return `${rounded} ${units[unitIndex]}`;
}
