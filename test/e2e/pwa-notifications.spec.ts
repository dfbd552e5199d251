import type { BrowserContext, Locator, Page } from '@playwright/test';
import {
  acceptRequest,
  addContact,
  createIdentity,
  expectConversation,
  messageItem,
  openConversation,
  readOwnAddress,
  readOwnInvite,
  sendMessage,
  waitUntilOnline,
} from './app.ts';
import { assertAppBuilt, expect, test, type TestBrowser, type TestRelay } from './fixtures.ts';
import { installVisibilityControl, openProfile, setPageHidden, waitForServiceWorkerControl } from './pwa.ts';

test.beforeAll(() => assertAppBuilt());

/** The parts of the service worker's global scope that the tests use, which test/tsconfig.json does not type. */
interface WorkerScope {
  clients: { openWindow(url: string): Promise<unknown> };
  registration: { getNotifications(): Promise<unknown[]> };
  NotificationEvent: new (type: string, init: { notification: unknown }) => Event;
  dispatchEvent(event: Event): boolean;
}

interface ShownNotification {
  title: string;
  body: string;
  tag: string;
}

function notificationToggle(profile: Locator): Locator {
  return profile.getByRole('checkbox', { name: /Notify me of new messages/ });
}

async function readNotifications(page: Page): Promise<ShownNotification[]> {
  return page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    const notifications = await registration.getNotifications();

    return notifications.map(({ title, body, tag }) => ({ title, body, tag }));
  });
}

/**
 * Records every showNotification call of the context's pages, because a second notification with
 * the same tag replaces the first and getNotifications() would not show that it was shown twice.
 */
async function recordShownNotifications(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    // Playwright runs init scripts in workers too, which have no ServiceWorkerRegistration.
    if (typeof ServiceWorkerRegistration !== 'function') return;

    const shown: { title: string; body: string }[] = [];
    (globalThis as unknown as { shownNotifications: typeof shown }).shownNotifications = shown;
    const showNotification = ServiceWorkerRegistration.prototype.showNotification;
    ServiceWorkerRegistration.prototype.showNotification = function (title, options) {
      shown.push({ title, body: options?.body ?? '' });
      return showNotification.call(this, title, options);
    };
  });
}

/** Returns the notifications that all of the context's pages showed, in page order. */
async function readShownNotifications(context: BrowserContext): Promise<{ title: string; body: string }[]> {
  const perPage = await Promise.all(
    context.pages().map((page) => page.evaluate(() => (globalThis as unknown as { shownNotifications: { title: string; body: string }[] }).shownNotifications)),
  );

  return perPage.flat();
}

/** Alice writes to Bob and Bob accepts, with notifications allowed and recorded in Bob's browser. */
async function startNotifiedChat(relay: TestRelay, openBrowser: (name: string) => Promise<TestBrowser>): Promise<{ alice: Page; bob: TestBrowser }> {
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');
  await installVisibilityControl(bob.context);
  await recordShownNotifications(bob.context);
  await bob.context.grantPermissions(['notifications'], { origin: relay.url.replace(/\/$/, '') });

  await createIdentity(alice.page, relay.url, 'Alice');
  await createIdentity(bob.page, relay.url, 'Bob');
  await waitUntilOnline(alice.page);
  await waitUntilOnline(bob.page);
  await waitForServiceWorkerControl(bob.page);
  await addContact(alice.page, await readOwnInvite(bob.page));
  await sendMessage(alice.page, 'hello Bob');
  await acceptRequest(bob.page, 'Alice');

  return { alice: alice.page, bob };
}

/**
 * Starts the chat of startNotifiedChat, then Bob opens a second tab, which follows the first one
 * (the leader, which talks to the network).
 */
async function startWithTwoTabs(relay: TestRelay, openBrowser: (name: string) => Promise<TestBrowser>): Promise<{ alice: Page; bob: TestBrowser; second: Page }> {
  const { alice, bob } = await startNotifiedChat(relay, openBrowser);
  const second = await bob.context.newPage();
  await second.goto(relay.url);
  await expect(second.getByText('Meshtext is also open in another tab')).toBeVisible();

  return { alice, bob, second };
}

test('two hidden tabs notify once', async ({ relay, openBrowser }) => {
  const { alice, bob, second } = await startWithTwoTabs(relay, openBrowser);
  await setPageHidden(bob.page, true);
  await setPageHidden(second, true);

  await sendMessage(alice, 'while both hidden');

  await expect.poll(() => readShownNotifications(bob.context)).toEqual([{ title: 'Alice', body: 'while both hidden' }]);
  await sendMessage(alice, 'second while hidden');
  await expect.poll(() => readShownNotifications(bob.context)).toEqual([
    { title: 'Alice', body: 'while both hidden' },
    { title: 'Alice', body: 'second while hidden' },
  ]);
  expect(await readNotifications(second)).toEqual([{ title: 'Alice', body: 'second while hidden', tag: await readOwnAddress(alice) }]);
});

test('chat visible in another tab suppresses notification', async ({ relay, openBrowser }) => {
  const { alice, bob, second } = await startWithTwoTabs(relay, openBrowser);
  await openConversation(second, 'Alice');
  await setPageHidden(bob.page, true);

  await sendMessage(alice, 'read in the second tab');
  await expect(messageItem(second, 'read in the second tab')).toBeVisible();

  // Once the second tab is hidden as well, the next message notifies. The recorded list then
  // shows that the message read in the second tab never got a notification.
  await setPageHidden(second, true);
  await sendMessage(alice, 'after hiding');
  await expect.poll(() => readShownNotifications(bob.context)).toEqual([{ title: 'Alice', body: 'after hiding' }]);

  // Seeing the chat again closes its notification.
  await setPageHidden(second, false);
  await expect.poll(() => readNotifications(second)).toEqual([]);
});

test('notification click opens chat in open tab', async ({ relay, openBrowser }) => {
  const { alice, bob, second } = await startWithTwoTabs(relay, openBrowser);
  // The tab that shows the chat closes, so the second tab leads and shows only the list.
  await bob.page.close();
  await expect(second.getByText('Meshtext is also open in another tab')).toBeHidden();
  await setPageHidden(second, true);
  await sendMessage(alice, 'click me');
  await expect.poll(() => readNotifications(second)).toHaveLength(1);
  await expect(messageItem(second, 'click me')).toBeHidden();
  const aliceAddress = await readOwnAddress(alice);

  // Headless Chromium shows no system notification to click, so the test runs the click
  // handler's window logic in the service worker.
  const [worker] = bob.context.serviceWorkers();
  expect(worker, 'service worker').toBeDefined();
  await worker?.evaluate(async (conversation) => {
    const scope = self as unknown as { openConversationWindow(conversation: string): Promise<unknown> };
    await scope.openConversationWindow(conversation);
  }, aliceAddress);

  await expect(messageItem(second, 'click me')).toBeVisible();
  expect(bob.context.pages()).toEqual([second]);
});

test('hidden app notifies of new messages', async ({ relay, openBrowser }) => {
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');
  await installVisibilityControl(bob.context);
  await bob.context.grantPermissions(['notifications'], { origin: relay.url.replace(/\/$/, '') });
  // Records the app badge values the app sets, which the test cannot read from the browser.
  await bob.context.addInitScript(() => {
    const badges: number[] = [];
    (globalThis as unknown as { appBadges: number[] }).appBadges = badges;
    navigator.setAppBadge = (count?: number) => {
      badges.push(count ?? 0);
      return Promise.resolve();
    };
    navigator.clearAppBadge = () => {
      badges.push(0);
      return Promise.resolve();
    };
  });

  await createIdentity(alice.page, relay.url, 'Alice');
  await createIdentity(bob.page, relay.url, 'Bob');
  await waitUntilOnline(alice.page);
  await waitUntilOnline(bob.page);
  await waitForServiceWorkerControl(bob.page);

  await addContact(alice.page, await readOwnInvite(bob.page));
  await sendMessage(alice.page, 'hello Bob');
  await acceptRequest(bob.page, 'Alice');

  // Bob granted the permission earlier, so notifications are on until he turns them off.
  const profile = await openProfile(bob.page);
  await expect(notificationToggle(profile)).toBeChecked();
  await profile.getByRole('button', { name: 'Close' }).click();

  await sendMessage(alice.page, 'seen while visible');
  await expectConversation(bob.page, ['hello Bob', 'seen while visible']);
  expect(await readNotifications(bob.page)).toEqual([]);

  await setPageHidden(bob.page, true);
  await sendMessage(alice.page, 'are you there?');

  await expect.poll(() => readNotifications(bob.page)).toEqual([
    { title: 'Alice', body: 'are you there?', tag: await alice.page.evaluate(() => (globalThis as unknown as { meshtext: { ownAddress: string } }).meshtext.ownAddress) },
  ]);
  await expect(bob.page).toHaveTitle('(1) Meshtext');
  expect(await bob.page.evaluate(() => (globalThis as unknown as { appBadges: number[] }).appBadges.at(-1))).toBe(1);

  await setPageHidden(bob.page, false);
  await expect(bob.page).toHaveTitle('Meshtext');
  expect(await bob.page.evaluate(() => (globalThis as unknown as { appBadges: number[] }).appBadges.at(-1))).toBe(0);
});

test('turned-off notifications stay silent', async ({ relay, openBrowser }) => {
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');
  await installVisibilityControl(bob.context);
  await bob.context.grantPermissions(['notifications'], { origin: relay.url.replace(/\/$/, '') });

  await createIdentity(alice.page, relay.url, 'Alice');
  await createIdentity(bob.page, relay.url, 'Bob');
  await waitUntilOnline(alice.page);
  await waitUntilOnline(bob.page);
  await addContact(alice.page, await readOwnInvite(bob.page));
  await sendMessage(alice.page, 'hello Bob');
  await acceptRequest(bob.page, 'Alice');

  const profile = await openProfile(bob.page);
  await notificationToggle(profile).uncheck();
  await expect(notificationToggle(profile)).not.toBeChecked();
  await profile.getByRole('button', { name: 'Close' }).click();

  await setPageHidden(bob.page, true);
  await sendMessage(alice.page, 'while hidden');
  await expect(bob.page).toHaveTitle('(1) Meshtext', { timeout: 45_000 });

  expect(await readNotifications(bob.page)).toEqual([]);
});

test('permission is asked from the toggle only', async ({ relay, openBrowser }) => {
  const page = (await openBrowser('alice')).page;
  await createIdentity(page, relay.url, 'Alice');
  await waitUntilOnline(page);

  expect(await page.evaluate(() => Notification.permission)).toBe('default');

  const profile = await openProfile(page);
  // click(), not check(): the box unticks itself again when the request is denied.
  await notificationToggle(profile).click();

  // Headless Chromium denies the request without a prompt, as a user blocking it would.
  await expect.poll(() => page.evaluate(() => Notification.permission)).toBe('denied');
  await expect(notificationToggle(profile)).not.toBeChecked();
  await expect(notificationToggle(profile)).toBeDisabled();
  await expect(profile.getByText('Your browser blocks notifications from Meshtext.')).toBeVisible();
});

test('notification offer follows first send', async ({ relay, openBrowser }) => {
  const alice = (await openBrowser('alice')).page;
  const bob = (await openBrowser('bob')).page;
  await createIdentity(alice, relay.url, 'Alice');
  await createIdentity(bob, relay.url, 'Bob');
  await addContact(alice, await readOwnInvite(bob));
  const offer = alice.getByRole('region', { name: 'Notifications' });

  await expect(alice.getByRole('button', { name: 'Share my invite' })).toBeVisible();
  await expect(offer).toHaveCount(0);

  await sendMessage(alice, 'hello Bob');
  await expect(offer).toBeVisible();
  await offer.getByRole('button', { name: 'Not now' }).click();
  await expect(offer).toHaveCount(0);

  await alice.reload();
  await expect(alice.getByRole('button', { name: 'Share my invite' })).toBeVisible();
  await expect(offer).toHaveCount(0);
  expect(await alice.evaluate(() => Notification.permission)).toBe('default');
});

test('notification offer requests permission', async ({ relay, openBrowser }) => {
  const alice = (await openBrowser('alice')).page;
  const bob = (await openBrowser('bob')).page;
  await createIdentity(alice, relay.url, 'Alice');
  await createIdentity(bob, relay.url, 'Bob');
  await addContact(alice, await readOwnInvite(bob));
  await sendMessage(alice, 'hello Bob');

  const offer = alice.getByRole('region', { name: 'Notifications' });
  await offer.getByRole('button', { name: 'Turn on' }).click();

  // Headless Chromium denies the request without a prompt; the offer has done its job either way.
  await expect.poll(() => alice.evaluate(() => Notification.permission)).toBe('denied');
  await expect(offer).toHaveCount(0);
});

test('notification click with no tab opens chat', async ({ relay, openBrowser }) => {
  const { alice, bob } = await startNotifiedChat(relay, openBrowser);
  await setPageHidden(bob.page, true);
  await sendMessage(alice, 'open me later');
  await expect.poll(() => readNotifications(bob.page)).toHaveLength(1);
  const [worker] = bob.context.serviceWorkers();
  expect(worker, 'service worker').toBeDefined();

  // The user closes Meshtext, and the notification stays.
  await bob.page.close();
  expect(bob.context.pages()).toEqual([]);

  // Headless Chromium shows no system notification to click, and clients.openWindow() rejects
  // with InvalidAccessError outside a real click. So the test dispatches a notificationclick
  // event with the shown notification to the worker's own listener and records the URL the
  // listener requests, then opens that URL as the browser would.
  const openedUrls = await worker!.evaluate(async () => {
    const scope = self as unknown as WorkerScope;
    const urls: string[] = [];
    scope.clients.openWindow = async (url) => {
      urls.push(url);
      return null;
    };
    const [notification] = await scope.registration.getNotifications();
    if (!notification) throw new Error('notification not found');

    scope.dispatchEvent(new scope.NotificationEvent('notificationclick', { notification }));
    for (let attempt = 0; attempt < 50 && urls.length === 0; attempt++) await new Promise((resolve) => setTimeout(resolve, 100));

    return urls;
  });
  const aliceAddress = await readOwnAddress(alice);
  expect(openedUrls).toEqual([`/#/chat/${encodeURIComponent(aliceAddress)}`]);
  await expect.poll(() => worker!.evaluate(async () => (await (self as unknown as WorkerScope).registration.getNotifications()).length)).toBe(0);

  const opened = await bob.context.newPage();
  await opened.goto(new URL(openedUrls[0]!, relay.url).href);
  await expect(messageItem(opened, 'open me later')).toBeVisible();
  await expect(opened.getByRole('heading', { name: 'Alice' })).toBeVisible();
});
