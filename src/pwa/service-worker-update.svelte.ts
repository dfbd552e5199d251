/**
 * Service worker registration and the "update available" state.
 *
 * The build uses `registerType: 'prompt'`, so a new version waits until the user chooses to
 * reload. Switching code under an open tab would reload it while a message may be half typed.
 */

import { registerSW } from 'virtual:pwa-register';

export class ServiceWorkerUpdate {
  /** A new version is installed and waits for the user to reload. */
  isUpdateAvailable = $state(false);
  #updateServiceWorker: ((reloadPage?: boolean) => Promise<void>) | undefined;

  /** Registers the service worker at once instead of waiting for the load event. */
  register(): void {
    this.#updateServiceWorker = registerSW({
      immediate: true,
      onNeedRefresh: () => {
        this.isUpdateAvailable = true;
      },
      onRegisterError: (error: unknown) => {
        console.error('[meshtext:pwa] service worker registration failed', error);
      },
    });
  }

  /** Activates the waiting version. The page reloads once the new version takes control. */
  async applyUpdate(): Promise<void> {
    this.isUpdateAvailable = false;
    await this.#updateServiceWorker?.(true);
  }

  dismiss(): void {
    this.isUpdateAvailable = false;
  }
}
