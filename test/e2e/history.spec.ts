/**
 * Long histories: the windowed message log and full-text search, on conversations seeded
 * straight into the app's IndexedDB (see history-seed.ts).
 */

import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { createIdentity, messageItem, messageItems, messageLog, openConversation } from './app.ts';
import { seedConversation } from './history-seed.ts';

/**
 * Presses Home in the message log until the first seeded message ('#0') shows. Home scrolls to
 * the top of what is held, which reads the page before it. Returns the log.
 */
async function pageBackToFirstMessage(page: Page): Promise<Locator> {
  const log = messageLog(page);
  await log.focus();
  await expect(async () => {
    await log.press('Home');
    await expect(messageItem(page, '#0').first()).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 30_000 });

  return log;
}

test('long conversation opens at its newest page and pages back', async ({ relay, openBrowser }) => {
  const page = (await openBrowser('alice')).page;
  await createIdentity(page, relay.url, 'Alice');
  await seedConversation(page, { contactName: 'Bob', count: 600 });

  await openConversation(page, 'Bob');

  await expect(messageItem(page, '#599')).toBeVisible();
  const renderedCount = await messageItems(page).count();
  expect(renderedCount).toBeGreaterThan(0);
  expect(renderedCount).toBeLessThan(60);

  const log = await pageBackToFirstMessage(page);
  expect(await messageItems(page).count()).toBeLessThan(60);
  await expect(messageItem(page, '#599')).toHaveCount(0);

  await log.press('End');
  await expect(messageItem(page, '#599')).toBeVisible();
});

test('busy open chat pages back to its start', async ({ relay, openBrowser }) => {
  const page = (await openBrowser('alice')).page;
  await createIdentity(page, relay.url, 'Alice');
  const seeded = await seedConversation(page, { contactName: 'Bob', count: 40 });
  await openConversation(page, 'Bob');
  await expect(messageItem(page, '#39')).toBeVisible();

  // 300 more arrive ten at a time while the reader stays at the newest, so the window that
  // follows them drops its oldest rows (HistoryWindow.trimOlder) several times.
  for (let batch = 0; batch < 30; batch++) {
    await page.evaluate(
      async ({ address, batch, after }) => {
        const app = (globalThis as unknown as { meshtext: { db: { messages: { bulkAdd(rows: unknown[]): Promise<unknown> } } } }).meshtext;
        const rows = Array.from({ length: 10 }, (_, offset) => {
          const index = 40 + batch * 10 + offset;
          return {
            id: `arrived-${index}`,
            conversation: address,
            direction: 'in',
            sender: address,
            instance: 'arrivals',
            seq: index,
            text: `arrival #${index}`,
            sentAt: after + index * 1000,
            storedAt: after + index * 1000,
            status: 'received',
          };
        });
        await app.db.messages.bulkAdd(rows);
      },
      { address: seeded.address, batch, after: seeded.lastStoredAt },
    );
    await expect(messageItem(page, `arrival #${49 + batch * 10}`)).toBeVisible();
  }

  const log = await pageBackToFirstMessage(page);
  await log.press('End');
  await expect(messageItem(page, 'arrival #339')).toBeVisible();
});

test('search finds a message among 10,000', async ({ relay, openBrowser }) => {
  const page = (await openBrowser('alice')).page;
  const needle = 'The quarterly lighthouse inventory is ready';
  await createIdentity(page, relay.url, 'Alice');
  await seedConversation(page, { contactName: 'Bob', count: 10_000, needles: { 1234: needle } });

  await page.getByRole('searchbox', { name: 'Search messages' }).fill('LIGHTHOUSE invent');

  const results = page.getByRole('region', { name: 'Search results' });
  await expect(results.getByRole('status')).toHaveText('Matching messages: 1');
  const hit = results.getByRole('button').filter({ hasText: 'lighthouse' });
  await expect(hit).toHaveCount(1);
  await expect(hit).toContainText('Bob');
  await expect(hit.locator('mark')).toHaveText(['lighthouse', 'invent']);

  await hit.click();

  const found = messageItem(page, needle);
  await expect(found).toBeVisible();
  await expect(found).toBeFocused();
  await expect(found).toBeInViewport();
  await expect(messageItem(page, '#9999')).toHaveCount(0);
});

test('search reports no match and bad input without failing', async ({ relay, openBrowser }) => {
  const page = (await openBrowser('alice')).page;
  await createIdentity(page, relay.url, 'Alice');
  await seedConversation(page, { contactName: 'Bob', count: 200, needles: { 5: 'café au lait' } });
  const searchBox = page.getByRole('searchbox', { name: 'Search messages' });
  const results = page.getByRole('region', { name: 'Search results' });

  await searchBox.fill('zzznothing');
  await expect(results.getByRole('status')).toHaveText('No messages match.');

  await searchBox.fill('  ,,, ');
  await expect(results.getByRole('status')).toHaveText('No messages match.');

  await searchBox.fill('CAFE');
  await expect(results.getByRole('button')).toHaveCount(1);
  await expect(results.locator('mark')).toHaveText('café');

  await searchBox.press('Escape');
  await expect(results).toBeHidden();
  await expect(page.getByRole('navigation', { name: 'Conversations' })).toBeVisible();
});
