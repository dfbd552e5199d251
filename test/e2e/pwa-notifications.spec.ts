import type { Locator, Page } from '@playwright/test';
import {
  acceptRequest,
  addContact,
  createIdentity,
  expectConversation,
  readOwnInvite,
  sendMessage,
  waitUntilOnline,
} from './app.ts';
import { assertAppBuilt, expect, test } from './fixtures.ts';
import { installVisibilityControl, openProfile, setPageHidden, waitForServiceWorkerControl } from './pwa.ts';

test.beforeAll(() => assertAppBuilt());

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
