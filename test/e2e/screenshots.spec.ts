import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { addContact, conversationList, createIdentity, messageBox, messageLog, readOwnInvite } from './app.ts';
import { assertAppBuilt, expect, test } from './fixtures.ts';
import { walkScreens } from './screens.ts';

const screenshotDir = fileURLToPath(new URL('../../test-results/screens', import.meta.url));
const widthsPx = [360, 768, 1280];
const colorSchemes = ['light', 'dark'] as const;
const phoneViewport = { width: 360, height: 780 };

test.beforeAll(() => assertAppBuilt());

/** Tells how many pixels the page is wider than the viewport, which would make it scroll sideways. */
async function horizontalOverflowPx(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

test('screenshots of every screen', async ({ relay, openBrowser }) => {
  test.setTimeout(180_000);
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');
  await createIdentity(bob.page, relay.url, 'Bob');
  const page = alice.page;
  await page.setViewportSize(phoneViewport);
  const overflows: string[] = [];
  let count = 0;

  // The walk itself runs at phone width, where the chat has a back button to the list.
  await walkScreens(page, relay.url, bob.page, async (screen) => {
    for (const width of widthsPx) {
      for (const colorScheme of colorSchemes) {
        await page.setViewportSize({ width, height: width < 768 ? 780 : 900 });
        await page.emulateMedia({ colorScheme });
        await page.screenshot({ path: path.join(screenshotDir, `${screen}-${width}-${colorScheme}.png`) });
        count += 1;

        const overflowPx = await horizontalOverflowPx(page);
        if (overflowPx > 0) overflows.push(`${screen} at ${width} px: ${overflowPx} px too wide`);
      }
    }
    await page.setViewportSize(phoneViewport);
    await page.emulateMedia({ colorScheme: 'light' });
  });

  expect(count).toBe(9 * widthsPx.length * colorSchemes.length);
  expect(overflows).toEqual([]);
});

test('tablet shows list and chat side by side', async ({ relay, openBrowser }) => {
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');
  await createIdentity(bob.page, relay.url, 'Bob');
  const page = alice.page;
  await page.setViewportSize({ width: 768, height: 1024 });
  await createIdentity(page, relay.url, 'Alice');
  await addContact(page, await readOwnInvite(bob.page));

  const list = conversationList(page);
  const log = messageLog(page);
  await expect(list).toBeVisible();
  await expect(log).toBeVisible();
  await expect(messageBox(page)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Back to conversations' })).toBeHidden();

  const listBox = await list.boundingBox();
  const logBox = await log.boundingBox();
  if (!listBox || !logBox) throw new Error('conversation list or message log not rendered');
  expect(listBox.x + listBox.width).toBeLessThanOrEqual(logBox.x);
  expect(logBox.width).toBeGreaterThanOrEqual(400);
  expect(await horizontalOverflowPx(page)).toBe(0);

  // Both toolbar buttons fit, on one row, inside the narrower tablet list.
  const paneBox = await page.getByRole('region', { name: 'Conversations' }).boundingBox();
  const shareBox = await page.getByRole('button', { name: 'Share my invite' }).boundingBox();
  const addBox = await page.getByRole('button', { name: 'Add contact' }).boundingBox();
  if (!paneBox || !shareBox || !addBox) throw new Error('list pane or toolbar buttons not rendered');
  expect(shareBox.y).toBe(addBox.y);
  expect(addBox.x + addBox.width).toBeLessThanOrEqual(paneBox.x + paneBox.width);
});
