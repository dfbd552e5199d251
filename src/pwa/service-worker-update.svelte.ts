/**
 * Service worker registration and the "update available" state.
 *
 * The build uses `registerType: 'prompt'`, so a new version waits until the user chooses to
 * reload. Switching code under an open tab would reload it while a message may be half typed.
 *
 * Every open tab shows the prompt, because each one watches the shared registration. When the
 * user accepts in any tab, the waiting worker activates and claims all tabs, and each tab
 * reloads as soon as the new worker controls it. A tab that kept running old code would load
 * lazy chunks that the new worker no longer precaches, and could end up half old, half new.
 */

import { Workbox } from 'workbox-window';
import { createLogger } from '../app/logger.ts';

const SERVICE_WORKER_URL = '/sw.js';
/** How often a tab that stays visible checks for a new version. */
const UPDATE_CHECK_INTERVAL_MS = 60 * 60 * 1000;

const log = createLogger('pwa');

export class ServiceWorkerUpdate {
  /** A new version is installed and waits for the user to reload. */
  isUpdateAvailable = $state(false);
  #workbox: Workbox | undefined;
  #registration: ServiceWorkerRegistration | undefined;
  #isReloading = false;

  /** Registers the service worker at once, without waiting for the load event. */
  register(): void {
    if (!('serviceWorker' in navigator)) {
      log.info('service workers unavailable, the app will not work offline');
      return;
    }

    this.#reloadWhenControllerChanges();
    this.#workbox = new Workbox(SERVICE_WORKER_URL, { scope: '/' });
    this.#workbox
      .register({ immediate: true })
      .then((registration) => {
        if (registration) this.#watch(registration);
      })
      .catch((error: unknown) => log.error('service worker registration failed', { error: String(error) }));
  }

  /** Asks the server for a newer service worker. Safe to call at any time. */
  async checkForUpdate(): Promise<void> {
    try {
      await this.#registration?.update();
    } catch (error) {
      // Offline, or the server is down: the next check tries again.
      log.debug('update check failed', { error: String(error) });
    }
  }

  /** Activates the waiting version. Every tab reloads once the new version takes control. */
  applyUpdate(): void {
    const waiting = this.#registration?.waiting;
    if (!waiting) {
      this.isUpdateAvailable = false;
      return;
    }

    waiting.postMessage({ type: 'SKIP_WAITING' });
  }

  dismiss(): void {
    this.isUpdateAvailable = false;
  }

  #watch(registration: ServiceWorkerRegistration): void {
    this.#registration = registration;
    if (registration.waiting && navigator.serviceWorker.controller) this.isUpdateAvailable = true;

    // `updatefound` reaches every tab, whichever of them ran the check.
    registration.addEventListener('updatefound', () => {
      const installing = registration.installing;
      installing?.addEventListener('statechange', () => {
        if (installing.state === 'installed' && navigator.serviceWorker.controller) this.isUpdateAvailable = true;
      });
    });

    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') void this.checkForUpdate();
    });
    setInterval(() => {
      if (document.visibilityState === 'visible') void this.checkForUpdate();
    }, UPDATE_CHECK_INTERVAL_MS);
  }

  /**
   * Reloads the tab when a new worker replaces the one that controlled it. The first worker
   * taking control of a fresh page (clientsClaim) is not an update and causes no reload.
   */
  #reloadWhenControllerChanges(): void {
    let hadController = navigator.serviceWorker.controller !== null;

    navigator.serviceWorker.addEventListener('controllerchange', () => {
      if (!hadController) {
        hadController = true;
        return;
      }
      if (this.#isReloading) return;

      this.#isReloading = true;
      log.info('new version took control, reloading');
      location.reload();
    });
  }
}
