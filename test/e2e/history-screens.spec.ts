/**
 * Screenshots of the history features at phone and desktop width, light and dark: a chat with
 * an edited message, a deleted message and the typing indicator, a search result opened in its
 * conversation, and the profile's Privacy section. They are written to test-results/history-screens.
 */

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { assertAppBuilt, expect, test } from './fixtures.ts';
import {
  acceptRequest,
  addContact,
  createIdentity,
  expectConversation,
  messageBox,
  messageItem,
  readOwnInvite,
  sendMessage,
  waitUntilOnline,
} from './app.ts';

const screenshotDir = fileURLToPath(new URL('../../test-results/history-screens', import.meta.url));
const widthsPx = [360, 1280];
const colorSchemes = ['light', 'dark'] as const;

test.beforeAll(() => assertAppBuilt());

/** Takes the screenshot of `name` at every width and colour scheme, running `prepare` before each one. */
async function shoot(page: Page, name: string, prepare: () => Promise<void> = async () => undefined): Promise<void> {
  for (const width of widthsPx) {
    for (const colorScheme of colorSchemes) {
      await page.setViewportSize({ width, height: width < 768 ? 780 : 900 });
      await page.emulateMedia({ colorScheme });
      await prepare();
      await page.screenshot({ path: path.join(screenshotDir, `${name}-${width}-${colorScheme}.png`) });
    }
  }
}

async function chooseFromMenu(page: Page, text: string, action: string): Promise<void> {
  const item = messageItem(page, text);
  await item.hover();
  await item.getByRole('button', { name: 'Message actions' }).click();
  await page.getByRole('menu').getByRole('menuitem', { name: action }).click();
}

test('screenshots of edits, deletions, typing, search and privacy', async ({ relay, openBrowser }) => {
  test.setTimeout(180_000);
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');
  await createIdentity(alice.page, relay.url, 'Alice');
  await createIdentity(bob.page, relay.url, 'Bob');
  await waitUntilOnline(alice.page);
  await waitUntilOnline(bob.page);
  await addContact(alice.page, await readOwnInvite(bob.page));
  await sendMessage(alice.page, 'Rehearsal moves to the small hall');
  await sendMessage(alice.page, 'Bring the blue folder');
  await sendMessage(alice.page, 'Doors open at 7');
  await acceptRequest(bob.page, 'Alice');
  await expectConversation(bob.page, ['Rehearsal moves to the small hall', 'Bring the blue folder', 'Doors open at 7']);
  await sendMessage(bob.page, 'Got it, see you there');

  await chooseFromMenu(alice.page, 'Doors open at 7', 'Edit');
  const editDialog = alice.page.getByRole('dialog', { name: 'Edit message' });
  await editDialog.getByRole('textbox', { name: 'Message text' }).fill('Doors open at 6:30');
  await editDialog.getByRole('button', { name: 'Save' }).click();
  await chooseFromMenu(alice.page, 'Bring the blue folder', 'Delete for everyone');
  await alice.page.getByRole('dialog', { name: 'Delete for everyone?' }).getByRole('button', { name: 'Delete' }).click();
  await expect(messageItem(bob.page, 'Doors open at 6:30')).toContainText('edited');
  await expect(messageItem(bob.page, 'This message was deleted.')).toHaveCount(1);

  // Bob's chat, with Alice typing.
  const typing = bob.page.getByRole('status').filter({ hasText: 'typing…' });
  await shoot(bob.page, 'chat-edited-deleted-typing', async () => {
    await messageBox(alice.page).fill('');
    await messageBox(alice.page).pressSequentially('one more');
    await expect(typing).toBeVisible();
  });

  // A search result opened in its conversation.
  const searchBox = alice.page.getByRole('searchbox', { name: 'Search messages' });
  await shoot(alice.page, 'search-result-in-context', async () => {
    // At phone width the open chat covers the list with the search box.
    const back = alice.page.getByRole('button', { name: 'Back to conversations' });
    if (await back.isVisible()) await back.click();
    await searchBox.fill('');
    await searchBox.fill('hall');
    const hit = alice.page.getByRole('region', { name: 'Search results' }).getByRole('button').filter({ hasText: 'hall' });
    await hit.click();
    await expect(messageItem(alice.page, 'Rehearsal moves to the small hall')).toBeFocused();
  });

  // The profile's Privacy section, with all three switches.
  await bob.page.getByRole('button', { name: 'My profile' }).click();
  const profile = bob.page.getByRole('dialog', { name: 'My profile' });
  const privacy = profile.getByRole('region', { name: 'Privacy' });
  await expect(bob.page.getByRole('heading', { name: 'Privacy' })).toHaveCount(1);
  await expect(privacy.getByRole('checkbox', { name: 'Send read receipts' })).toBeChecked();
  await expect(privacy.getByRole('switch')).toHaveCount(2);
  await shoot(bob.page, 'profile-privacy', async () => {
    await privacy.scrollIntoViewIfNeeded();
  });
});
