/**
 * Long group chats and search over group messages, on histories seeded straight into the app's
 * IndexedDB (see history-seed.ts). Screenshots of a group search result and of a long group chat
 * at phone and desktop width, light and dark, go to test-results/group-history-screens.
 */

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from '@playwright/test';
import { assertAppBuilt, expect, test } from './fixtures.ts';
import { createIdentity, messageItem } from './app.ts';
import { createGroup, seedConversation, seedGroupMessages } from './history-seed.ts';

const screenshotDir = fileURLToPath(new URL('../../test-results/group-history-screens', import.meta.url));

test.beforeAll(() => assertAppBuilt());

function groupLog(page: Page): Locator {
  return page.getByRole('log', { name: 'Group messages' });
}

function groupItems(page: Page): Locator {
  return groupLog(page).getByRole('listitem');
}

function groupItem(page: Page, text: string): Locator {
  return groupItems(page).filter({ hasText: text });
}

function searchResults(page: Page): Locator {
  return page.getByRole('region', { name: 'Search results' });
}

/** Sets up Alice with a contact Bob and a group "Crew" holding `count` seeded messages after its creation. */
async function seedCrew(page: Page, appUrl: string, count: number, needles: Record<number, string> = {}): Promise<void> {
  await createIdentity(page, appUrl, 'Alice');
  await seedConversation(page, { contactName: 'Bob', count: 40, needles: { 20: 'The lighthouse lens is in the shed' } });
  const group = await createGroup(page, 'Crew', ['Bob']);
  // Ten milliseconds apart from just after the group's creation, so the created event comes first.
  await seedGroupMessages(page, {
    group: group.id,
    senders: [group.ownAddress, ...group.memberAddresses],
    count,
    firstStoredAt: group.createdAt + 1000,
    spacingMs: 10,
    needles,
  });
  // Back to the list, which phones show instead of the chat that creating the group opened.
  await page.evaluate(() => (globalThis as unknown as { meshtext: { open(address: undefined): Promise<void> } }).meshtext.open(undefined));
}

test('search finds a group message and opens it in the group chat', async ({ relay, openBrowser }) => {
  const page = (await openBrowser('alice')).page;
  const needle = 'The lighthouse keeper joins us on Friday';
  await page.setViewportSize({ width: 1280, height: 800 });
  await seedCrew(page, relay.url, 400, { 100: needle });

  await page.getByRole('searchbox', { name: 'Search messages' }).fill('lighthouse');

  const results = searchResults(page);
  await expect(results.getByRole('status')).toHaveText('Matching messages: 2');
  const groupHit = results.getByRole('button').filter({ hasText: 'keeper' });
  await expect(groupHit).toContainText('Crew');
  await expect(groupHit).toContainText('Group');
  await expect(groupHit).toContainText('Bob:');
  await expect(results.getByRole('button').filter({ hasText: 'shed' })).toContainText('Bob');
  for (const colorScheme of ['light', 'dark'] as const) {
    for (const width of [360, 1280]) {
      await page.setViewportSize({ width, height: width < 768 ? 780 : 900 });
      await page.emulateMedia({ colorScheme });
      await page.screenshot({ path: path.join(screenshotDir, `search-group-hit-${width}-${colorScheme}.png`) });
    }
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.emulateMedia({ colorScheme: 'light' });

  await groupHit.click();

  const found = groupItem(page, needle);
  await expect(found).toBeVisible();
  await expect(found).toBeFocused();
  await expect(found).toBeInViewport();
  await expect(found).toHaveAttribute('data-sender', 'Bob');
  await expect(groupItem(page, '#399')).toHaveCount(0);

  // Away to the newest messages, then the same result again.
  await groupLog(page).focus();
  await groupLog(page).press('End');
  await expect(groupItem(page, '#399')).toBeVisible();
  await expect(found).toHaveCount(0);

  await groupHit.click();

  await expect(found).toBeVisible();
  await expect(found).toBeFocused();
  await expect(found).toBeInViewport();
});

test('second click on a result shows it again', async ({ relay, openBrowser }) => {
  const page = (await openBrowser('alice')).page;
  await page.setViewportSize({ width: 1280, height: 800 });
  await createIdentity(page, relay.url, 'Alice');
  await seedConversation(page, { contactName: 'Bob', count: 600, needles: { 100: 'The quarterly lighthouse inventory' } });
  await page.getByRole('searchbox', { name: 'Search messages' }).fill('quarterly');
  const hit = searchResults(page).getByRole('button').filter({ hasText: 'quarterly' });
  await hit.click();
  const found = messageItem(page, 'quarterly lighthouse');
  await expect(found).toBeFocused();

  const log = page.getByRole('log', { name: 'Messages' });
  await log.focus();
  await log.press('End');
  await expect(messageItem(page, '#599')).toBeVisible();
  await expect(found).toHaveCount(0);

  await hit.click();

  await expect(found).toBeVisible();
  await expect(found).toBeFocused();
  await expect(found).toBeInViewport();
});

test('long group chat pages back to its creation', async ({ relay, openBrowser }) => {
  const page = (await openBrowser('alice')).page;
  await page.setViewportSize({ width: 1280, height: 800 });
  await seedCrew(page, relay.url, 600);
  await page.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: 'Crew (Group)' }).click();

  await expect(groupItem(page, '#599')).toBeVisible();
  const renderedCount = await groupItems(page).count();
  expect(renderedCount).toBeGreaterThan(0);
  expect(renderedCount).toBeLessThan(60);
  for (const colorScheme of ['light', 'dark'] as const) {
    for (const width of [360, 1280]) {
      await page.setViewportSize({ width, height: width < 768 ? 780 : 900 });
      await page.emulateMedia({ colorScheme });
      await page.screenshot({ path: path.join(screenshotDir, `long-group-chat-${width}-${colorScheme}.png`) });
    }
  }
  await page.setViewportSize({ width: 1280, height: 800 });

  // Home scrolls to the top of what is held, which reads the page before it, until the group's creation.
  const log = groupLog(page);
  await log.focus();
  await expect(async () => {
    await log.press('Home');
    await expect(groupItem(page, 'You created the group “Crew”')).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 30_000 });
  await expect(groupItem(page, '#0').first()).toBeVisible();
  expect(await groupItems(page).count()).toBeLessThan(60);
  await expect(groupItem(page, '#599')).toHaveCount(0);

  // The membership event of the group's creation sits before its first message.
  const texts = await groupItems(page).allTextContents();
  const createdAt = texts.findIndex((text) => text.includes('You created the group “Crew”'));
  const firstAt = texts.findIndex((text) => text.includes('#0'));
  expect(createdAt).toBeGreaterThanOrEqual(0);
  expect(firstAt).toBeGreaterThan(createdAt);

  await log.press('End');
  await expect(groupItem(page, '#599')).toBeVisible();
});
