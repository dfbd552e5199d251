/**
 * Two Meshtext users, Alice and Bob, in two Chromium processes, brought to a running chat
 * through the UI the way the e2e specs do it. Both create an identity, Alice saves Bob's invite
 * link and writes first, and Bob accepts her message request. The relay is the real one, serving
 * the app from dist/ on loopback.
 *
 * Two setup steps are timed inside the pages with `performance.timeOrigin + performance.now()`,
 * from the click that starts the step to the DOM mutation that shows its result, so Playwright's
 * polling does not add to the figures:
 *   - identity created → Online: click on "Create my identity" until the connection indicator
 *     reads "Online";
 *   - invite added → first message delivered: click on "Save contact" until Alice's first
 *     message is marked delivered. It includes Playwright typing the message, which takes a few
 *     milliseconds, and the time the app needs to find Bob at the relay and connect.
 */

import { expect, type Page } from '@playwright/test';
import { silentLogger, startRelay } from '../../signaling/server.ts';
import type { Meshtext } from '../../src/app/meshtext.svelte.ts';
import { acceptRequest, deliveryTimeoutMs, expectConversation, readOwnInvite, sendMessage, submitInvite } from '../e2e/app.ts';
import { distDir } from './app-build.ts';
import { launchBrowserPair } from './browser-pair.ts';

/** A click seen by a page watch: when it happened and the text of the button clicked. */
interface WatchedClick {
  at: number;
  label: string;
}

/** Page-side record of `watchUntil`. Times are `performance.timeOrigin + performance.now()`. */
interface PageWatch {
  clicks: WatchedClick[];
  matchedAt: number | null;
}

declare global {
  interface Window {
    /** The debugging and benchmark handle that src/main.ts sets. */
    meshtext: Meshtext;
    benchWatch?: PageWatch;
  }
}

/** Setup durations in milliseconds, measured inside the pages. */
export interface SetupTimings {
  aliceOnlineMs: number;
  bobOnlineMs: number;
  inviteToDeliveredMs: number;
  /** The part of `inviteToDeliveredMs` after Alice pressed Send. */
  sendToDeliveredMs: number;
}

/** Alice and Bob with an accepted conversation between them. `close` ends browsers and relay. */
export interface MeshtextPair {
  alice: Page;
  bob: Page;
  aliceAddress: string;
  bobAddress: string;
  setup: SetupTimings;
  close(): Promise<void>;
}

const connectionStatusSelector = '[role="status"][aria-label="Connection"]';
const deliveredMessageSelector = '[role="log"] [data-status="delivered"]';
const greeting = 'Hi Bob, this is Alice';

/**
 * Starts recording clicks in the page and the first moment at which an element matching
 * `selector` exists, with exactly `text` as its trimmed text unless `text` is null.
 */
async function watchUntil(page: Page, selector: string, text: string | null): Promise<void> {
  await page.evaluate(
    ({ selector, text }) => {
      const watch: PageWatch = { clicks: [], matchedAt: null };
      const now = () => performance.timeOrigin + performance.now();
      const isMatched = (): boolean => {
        const element = document.querySelector(selector);

        return element !== null && (text === null || element.textContent?.trim() === text);
      };
      const recordClick = (event: MouseEvent): void => {
        const button = event.target instanceof Element ? event.target.closest('button') : null;
        watch.clicks.push({ at: now(), label: button?.textContent?.trim() ?? '' });
      };
      const observer = new MutationObserver(() => {
        if (!isMatched()) return;

        watch.matchedAt = now();
        observer.disconnect();
        window.removeEventListener('click', recordClick, { capture: true });
      });

      window.addEventListener('click', recordClick, { capture: true });
      observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
      window.benchWatch = watch;
    },
    { selector, text },
  );
}

/** Waits for the watch of `watchUntil` to match and returns it. */
async function readWatch(page: Page, timeoutMs: number): Promise<PageWatch> {
  await page.waitForFunction(() => (window.benchWatch?.matchedAt ?? null) !== null, undefined, { timeout: timeoutMs, polling: 50 });

  return page.evaluate(() => window.benchWatch as PageWatch);
}

/** Returns milliseconds from the first click on the button labelled `label` to the match. */
function msSinceClick(watch: PageWatch, label: string): number {
  const click = watch.clicks.find((candidate) => candidate.label === label);
  if (click === undefined || watch.matchedAt === null) {
    throw new Error(`no click on "${label}" before the watched change; clicks seen: ${JSON.stringify(watch.clicks.map((c) => c.label))}`);
  }

  return watch.matchedAt - click.at;
}

/** Opens the app, creates an identity and returns milliseconds from the click until "Online". */
async function createIdentityTimed(page: Page, appUrl: string, displayName: string): Promise<number> {
  const submitLabel = 'Create my identity';

  await page.goto(appUrl);
  await expect(page.getByRole('heading', { name: 'Welcome to Meshtext' })).toBeVisible();
  await page.getByRole('textbox', { name: 'Display name' }).fill(displayName);

  await watchUntil(page, connectionStatusSelector, 'Online');
  await page.getByRole('button', { name: submitLabel }).click();

  return msSinceClick(await readWatch(page, deliveryTimeoutMs), submitLabel);
}

/**
 * Alice saves Bob's invite and sends her first message. Returns milliseconds from the click on
 * "Save contact", and from the click on "Send", until that message is marked delivered.
 */
async function addBobAndGreet(alice: Page, bobInvite: string): Promise<{ fromInviteMs: number; fromSendMs: number }> {
  await watchUntil(alice, deliveredMessageSelector, null);

  const dialog = await submitInvite(alice, bobInvite);
  // locator.waitFor polls inside the page without delay, unlike expect's growing intervals.
  await dialog.waitFor({ state: 'hidden' });
  await sendMessage(alice, greeting);

  const watch = await readWatch(alice, deliveryTimeoutMs);

  return { fromInviteMs: msSinceClick(watch, 'Save contact'), fromSendMs: msSinceClick(watch, 'Send') };
}

/**
 * Starts a relay on 127.0.0.1 serving dist/, opens Alice and Bob in two Chromium processes and
 * brings them to an accepted conversation. dist/ must hold a current build (see app-build.ts).
 */
export async function startMeshtextPair(): Promise<MeshtextPair> {
  const relay = await startRelay({ port: 0, host: '127.0.0.1', staticDir: distDir, iceServers: [], logger: silentLogger });
  const appUrl = relay.url.endsWith('/') ? relay.url : `${relay.url}/`;
  let pair: Awaited<ReturnType<typeof launchBrowserPair>> | undefined;

  try {
    pair = await launchBrowserPair();
    const { a: alice, b: bob } = pair;

    const aliceOnlineMs = await createIdentityTimed(alice, appUrl, 'Alice');
    const bobOnlineMs = await createIdentityTimed(bob, appUrl, 'Bob');

    const bobInvite = await readOwnInvite(bob);
    const greetingTimes = await addBobAndGreet(alice, bobInvite);
    await acceptRequest(bob, 'Alice');
    await expectConversation(bob, [greeting]);

    const aliceAddress = await alice.evaluate(() => window.meshtext.ownAddress);
    const bobAddress = await bob.evaluate(() => window.meshtext.ownAddress);
    if (aliceAddress === undefined || bobAddress === undefined) throw new Error('an identity has no address after setup');

    const openPair = pair;
    return {
      alice,
      bob,
      aliceAddress,
      bobAddress,
      setup: {
        aliceOnlineMs,
        bobOnlineMs,
        inviteToDeliveredMs: greetingTimes.fromInviteMs,
        sendToDeliveredMs: greetingTimes.fromSendMs,
      },
      close: async () => {
        await openPair.close();
        await relay.close();
      },
    };
  } catch (error) {
    await pair?.close();
    await relay.close();
    throw error;
  }
}
