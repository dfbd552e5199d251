import type { Page } from '@playwright/test';
import { assertAppBuilt, expect, test } from './fixtures.ts';
import { addContact, createIdentity, deliveryTimeoutMs, readOwnInvite, waitUntilOnline } from './app.ts';

test.beforeAll(() => assertAppBuilt());

/** Fails when the page scrolls sideways, which at 360 px means something does not fit. */
async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

  expect(overflow).toBeLessThanOrEqual(0);
}

test('group screens fit 360 and 1280 px in light and dark', async ({ relay, openBrowser }, testInfo) => {
  test.setTimeout(180_000);
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');
  await createIdentity(alice.page, relay.url, 'Alice');
  await createIdentity(bob.page, relay.url, 'Bob');
  await waitUntilOnline(alice.page);
  await waitUntilOnline(bob.page);
  await addContact(alice.page, await readOwnInvite(bob.page));
  const page = alice.page;

  await page.getByRole('button', { name: 'New group' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('textbox', { name: 'Group name' }).fill('Stage crew');
  await dialog.getByRole('checkbox', { name: 'Bob' }).check();
  await page.screenshot({ path: testInfo.outputPath('create-1280-light.png') });
  await dialog.getByRole('button', { name: 'Create group' }).click();
  await page.getByRole('textbox', { name: 'Message to the group' }).fill('Doors open at 9, sound check at 8.');
  await page.getByRole('button', { name: 'Send' }).click();
  await bob.page.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: 'Stage crew' }).click({ timeout: deliveryTimeoutMs });
  await bob.page.getByRole('textbox', { name: 'Message to the group' }).fill('On my way with the cables.');
  await bob.page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByRole('log', { name: 'Group messages' }).getByText('On my way with the cables.')).toBeVisible({ timeout: deliveryTimeoutMs });

  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    for (const width of [360, 1280]) {
      await page.setViewportSize({ width, height: width === 360 ? 720 : 800 });
      await expect(page.getByRole('log', { name: 'Group messages' })).toBeVisible();
      await expectNoSidewaysScroll(page);
      await page.screenshot({ path: testInfo.outputPath(`chat-${width}-${colorScheme}.png`) });

      await page.getByRole('button', { name: 'Members', exact: true }).click();
      await expect(page.getByRole('dialog').getByRole('textbox', { name: 'Join link' })).toBeVisible();
      await expectNoSidewaysScroll(page);
      await page.screenshot({ path: testInfo.outputPath(`members-${width}-${colorScheme}.png`) });
      await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
    }
  }

  await page.setViewportSize({ width: 360, height: 720 });
  await page.getByRole('button', { name: 'Back to conversations' }).click();
  await expect(page.getByRole('navigation', { name: 'Conversations' })).toBeVisible();
  await expectNoSidewaysScroll(page);
  await page.screenshot({ path: testInfo.outputPath('list-360-dark.png') });
});
