/**
 * Two Chromium processes with one page each, for benchmarks that measure traffic between two
 * peers. Each browser is a separate process, as two users' browsers would be, and keeps its
 * profile on disk (see profile-browser.ts).
 *
 * `connectRawPair` turns a pair into two plain PeerJS peers joined by a data connection.
 * A benchmark of the Meshtext app can instead navigate both pages to the app served by
 * `startRelay` and drive the UI.
 */

import type { Page } from '@playwright/test';
import { isMissingFaviconMessage } from '../e2e/chromium.ts';
import { launchProfileBrowser, type ProfileBrowser } from './profile-browser.ts';
import { connectRawPeers, openRawPeer, randomPeerId, type RelayEndpoint } from '../e2e/raw-peerjs.ts';

/** Two pages in two browsers. `close` ends both browsers. */
export interface BrowserPair {
  a: Page;
  b: Page;
  close(): Promise<void>;
}

/** Peer ids of a pair connected by `connectRawPair`. */
export interface RawPairIds {
  a: string;
  b: string;
}

async function launchPage(name: string, browsers: ProfileBrowser[]): Promise<Page> {
  const browser = await launchProfileBrowser();
  browsers.push(browser);

  const { page } = browser;
  // tsx compiles with esbuild's keepNames, which wraps named functions in calls to a __name
  // helper. Functions sent to page.evaluate carry those calls into the page, so it needs one.
  await page.addInitScript('globalThis.__name = (target) => target;');
  page.on('console', (message) => {
    if (message.type() === 'error' && !isMissingFaviconMessage(message)) console.error(`[${name}] console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => console.error(`[${name}] page error: ${error.message}`));

  return page;
}

/** Launches two headless Chromium browsers and opens one page in each. */
export async function launchBrowserPair(): Promise<BrowserPair> {
  const browsers: ProfileBrowser[] = [];

  try {
    const a = await launchPage('a', browsers);
    const b = await launchPage('b', browsers);

    return {
      a,
      b,
      close: async () => {
        await Promise.all(browsers.map((browser) => browser.close()));
      },
    };
  } catch (error) {
    await Promise.all(browsers.map((browser) => browser.close()));
    throw error;
  }
}

/**
 * Loads `pageUrl` in both pages, registers a PeerJS peer in each at the relay and opens a
 * reliable data connection from `a` to `b`. Page-side state is in `window.rawPeer`.
 */
export async function connectRawPair(
  pair: BrowserPair,
  pageUrl: string,
  relay: RelayEndpoint,
  serialization = 'binary',
): Promise<RawPairIds> {
  const ids = { a: randomPeerId(), b: randomPeerId() };

  await Promise.all([pair.a.goto(pageUrl), pair.b.goto(pageUrl)]);
  await Promise.all([openRawPeer(pair.a, ids.a, relay), openRawPeer(pair.b, ids.b, relay)]);
  await connectRawPeers(pair.a, pair.b, ids.b, serialization);

  return ids;
}
