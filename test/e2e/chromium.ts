/**
 * Chromium launch settings shared by the Playwright config, the e2e fixtures and the browser
 * benchmarks, so that every browser in the test suite starts the same way.
 */

import type { ConsoleMessage, LaunchOptions } from '@playwright/test';

/** Path of the Chromium binary. Playwright's own browser download is not used. */
export const chromiumExecutablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const isRoot = process.getuid?.() === 0;

/** Command-line switches for every test browser. */
export const chromiumArgs: string[] = [
  // Chromium refuses to start its sandbox as root.
  ...(isRoot ? ['--no-sandbox'] : []),
  // Keep the browser from contacting Google services or any proxy on its own.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--no-proxy-server',
  // With mDNS hiding on, host ICE candidates are random *.local names, which nothing
  // resolves inside the test network namespace, so peers could never connect.
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--disable-gpu',
  '--disable-quic',
];

/** Launch options for `chromium.launch` and `chromium.launchPersistentContext`. */
export const chromiumLaunchOptions: LaunchOptions = {
  executablePath: chromiumExecutablePath,
  args: chromiumArgs,
};

/**
 * Tells whether a console message is Chromium's report of a missing /favicon.ico. Pages that
 * are not the app (the relay's /health, for example) have none, and the noise hides real errors.
 */
export function isMissingFaviconMessage(message: ConsoleMessage): boolean {
  return new URL(message.location().url || 'about:blank').pathname === '/favicon.ico';
}
