/**
 * Whether Meshtext shows a system notification for messages that arrive while it is hidden.
 * The browser's permission is asked only when the user turns notifications on, never at launch.
 * Turning them off again is stored on this device, because a site cannot revoke its permission.
 */

import { createLogger } from '../app/logger.ts';

export type NotificationPermissionState = NotificationPermission | 'unsupported';

const OPT_OUT_KEY = 'meshtext.notificationsOff';

const log = createLogger('pwa');

export class NotificationSettings {
  permission = $state<NotificationPermissionState>(readPermission());
  #isOptedOut = $state(readOptOut());

  /** True when the browser allows notifications and the user has not turned them off here. */
  get isEnabled(): boolean {
    return this.permission === 'granted' && !this.#isOptedOut;
  }

  /**
   * Turns notifications on or off. Turning them on requests the browser's permission when it has
   * not been requested yet. Returns whether notifications are on afterwards.
   */
  async setEnabled(isEnabled: boolean): Promise<boolean> {
    this.#setOptOut(!isEnabled);
    if (!isEnabled || this.permission !== 'default') return this.isEnabled;

    try {
      this.permission = await Notification.requestPermission();
    } catch (error) {
      log.warn('notification permission request failed', { error: String(error) });
    }

    return this.isEnabled;
  }

  /** Reads the permission again, which the user may have changed in the browser's site settings. */
  refresh(): void {
    this.permission = readPermission();
  }

  #setOptOut(isOptedOut: boolean): void {
    this.#isOptedOut = isOptedOut;
    try {
      if (isOptedOut) localStorage.setItem(OPT_OUT_KEY, '1');
      else localStorage.removeItem(OPT_OUT_KEY);
    } catch {
      // Without localStorage the choice lasts until the page closes.
    }
  }
}

function readPermission(): NotificationPermissionState {
  return typeof Notification === 'function' ? Notification.permission : 'unsupported';
}

function readOptOut(): boolean {
  try {
    return localStorage.getItem(OPT_OUT_KEY) === '1';
  } catch {
    return false;
  }
}
