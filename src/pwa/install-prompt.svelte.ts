/**
 * Installing Meshtext as an app. Chromium browsers fire `beforeinstallprompt` when the site
 * qualifies, and the event's `prompt()` opens the browser's install dialog. Safari on iOS and
 * iPadOS has no such event, so the app explains "Add to Home Screen" there instead.
 */

import { createLogger } from '../app/logger.ts';

/** The `beforeinstallprompt` event, which only Chromium browsers implement and TypeScript lacks. */
interface BeforeInstallPromptEvent extends Event {
  prompt(): Promise<void>;
  readonly userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>;
}

/** Install method on this browser: a button, manual steps on iOS, or none. */
export type InstallMethod = 'installed' | 'prompt' | 'ios-manual' | 'unavailable';

const log = createLogger('pwa');

/**
 * Tells whether a user agent is Safari on iOS or iPadOS, where "Add to Home Screen" in the
 * share menu installs the app. iPadOS 13 and later report a Mac user agent, and only the touch
 * points tell the two apart.
 */
export function isIosUserAgent(userAgent: string, maxTouchPoints: number): boolean {
  if (/iPhone|iPad|iPod/.test(userAgent)) return true;

  return /Macintosh/.test(userAgent) && maxTouchPoints > 1;
}

export class InstallPrompt {
  method = $state<InstallMethod>('unavailable');
  #deferredEvent: BeforeInstallPromptEvent | undefined;

  /** Starts listening. Call it early, because the browser fires its event only once per load. */
  listen(): void {
    if (isStandalone()) {
      this.method = 'installed';
      return;
    }
    if (isIosUserAgent(navigator.userAgent, navigator.maxTouchPoints)) this.method = 'ios-manual';

    window.addEventListener('beforeinstallprompt', (event) => {
      // Keeps the browser's own mini bar away, so that the install offer comes from the app.
      event.preventDefault();
      this.#deferredEvent = event as BeforeInstallPromptEvent;
      this.method = 'prompt';
    });
    window.addEventListener('appinstalled', () => {
      this.#deferredEvent = undefined;
      this.method = 'installed';
    });
  }

  /** Opens the browser's install dialog. A prompt event can be used once, so it is dropped after. */
  async install(): Promise<void> {
    const event = this.#deferredEvent;
    if (!event) return;

    this.#deferredEvent = undefined;
    await event.prompt();
    const { outcome } = await event.userChoice;
    log.info('install prompt answered', { outcome });
    this.method = outcome === 'accepted' ? 'installed' : 'unavailable';
  }
}

function isStandalone(): boolean {
  const isIosStandalone = (navigator as Navigator & { standalone?: boolean }).standalone === true;

  return isIosStandalone || matchMedia('(display-mode: standalone)').matches;
}
