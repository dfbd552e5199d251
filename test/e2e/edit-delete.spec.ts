/** Editing and deleting messages between two browsers, with the peer online and offline. */

import type { Page } from '@playwright/test';
import { assertAppBuilt, expect, test } from './fixtures.ts';
import {
  acceptRequest,
  addContact,
  contactStatus,
  conversationList,
  createIdentity,
  expectConversation,
  expectDeliveryStatus,
  messageItem,
  messageItems,
  openConversation,
  readOwnInvite,
  sendMessage,
  waitUntilOnline,
} from './app.ts';

test.beforeAll(() => assertAppBuilt());

/** Opens the menu of the message with this text and returns the menu. */
async function openMessageMenu(page: Page, text: string) {
  const item = messageItem(page, text);
  await item.hover();
  await item.getByRole('button', { name: 'Message actions' }).click();
  const menu = page.getByRole('menu');
  await expect(menu).toBeVisible();

  return menu;
}

test('edit and delete reach the other side', async ({ relay, openBrowser }) => {
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');
  await createIdentity(alice.page, relay.url, 'Alice');
  await createIdentity(bob.page, relay.url, 'Bob');
  await waitUntilOnline(alice.page);
  await waitUntilOnline(bob.page);
  await addContact(alice.page, await readOwnInvite(bob.page));
  await sendMessage(alice.page, 'meet at 5 pm');
  await sendMessage(alice.page, 'bring the wrong key');
  await acceptRequest(bob.page, 'Alice');
  await expectConversation(bob.page, ['meet at 5 pm', 'bring the wrong key']);

  // Alice edits while Bob is online.
  let menu = await openMessageMenu(alice.page, 'meet at 5 pm');
  await expect(menu.getByRole('menuitem')).toHaveText(['Edit', 'Delete for me', 'Delete for everyone']);
  await menu.getByRole('menuitem', { name: 'Edit' }).click();
  const dialog = alice.page.getByRole('dialog', { name: 'Edit message' });
  await dialog.getByRole('textbox', { name: 'Message text' }).fill('meet at 6 pm');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await expect(messageItem(alice.page, 'meet at 6 pm')).toContainText('edited');
  await expect(messageItem(bob.page, 'meet at 6 pm')).toContainText('edited');
  await expect(messageItem(bob.page, 'meet at 5 pm')).toHaveCount(0);

  // Bob may only delete Alice's message for himself.
  menu = await openMessageMenu(bob.page, 'meet at 6 pm');
  await expect(menu.getByRole('menuitem')).toHaveText(['Delete for me']);
  await bob.page.keyboard.press('Escape');
  await expect(menu).toBeHidden();

  // Alice deletes for everyone while Bob's browser is closed.
  await bob.close();
  await expect(contactStatus(alice.page)).toHaveText('Offline', { timeout: 15_000 });
  menu = await openMessageMenu(alice.page, 'bring the wrong key');
  await menu.getByRole('menuitem', { name: 'Delete for everyone' }).click();
  await alice.page.getByRole('dialog', { name: 'Delete for everyone?' }).getByRole('button', { name: 'Delete' }).click();
  await expect(messageItem(alice.page, 'bring the wrong key')).toHaveCount(0);
  await expect(messageItem(alice.page, 'You deleted this message.')).toHaveCount(1);

  // Alice deletes a queued message for herself, so its seq is never sent, then writes again.
  await sendMessage(alice.page, 'typo draft');
  menu = await openMessageMenu(alice.page, 'typo draft');
  await menu.getByRole('menuitem', { name: 'Delete for me' }).click();
  await alice.page.getByRole('dialog', { name: 'Delete for me?' }).getByRole('button', { name: 'Delete' }).click();
  await expect(messageItem(alice.page, 'typo draft')).toHaveCount(0);
  await sendMessage(alice.page, 'one more thing');

  const bobPage = await bob.reopen();
  await bobPage.goto(relay.url);
  await openConversation(bobPage, 'Alice');
  await expect(messageItem(bobPage, 'This message was deleted.')).toHaveCount(1);
  await expect(messageItem(bobPage, 'bring the wrong key')).toHaveCount(0);
  await expect(messageItem(bobPage, 'one more thing')).toBeVisible();
  await expect(messageItems(bobPage)).toHaveCount(3);
  // The skipped seq of the deleted draft closes its gap marker once the link catches up.
  await expect(bobPage.getByText(/not arrived yet/)).toHaveCount(0);

  // Bob deletes his copy of the edited message; Alice keeps hers.
  menu = await openMessageMenu(bobPage, 'meet at 6 pm');
  await menu.getByRole('menuitem', { name: 'Delete for me' }).click();
  await bobPage.getByRole('dialog', { name: 'Delete for me?' }).getByRole('button', { name: 'Delete' }).click();
  await expect(messageItems(bobPage)).toHaveCount(2);
  await sendMessage(bobPage, 'got it');
  await expectDeliveryStatus(bobPage, 'got it', 'delivered');
  await expect(messageItem(alice.page, 'meet at 6 pm')).toHaveCount(1);

  // The deletion leaves no gap marker, and catch-up after a reload does not bring the message back.
  await sendMessage(alice.page, 'see you there');
  await expect(messageItem(bobPage, 'see you there')).toBeVisible();
  await expect(bobPage.getByText(/not arrived yet/)).toHaveCount(0);
  await bobPage.reload();
  await openConversation(bobPage, 'Alice');
  await waitUntilOnline(bobPage);
  await sendMessage(alice.page, 'last one');
  await expect(messageItem(bobPage, 'last one')).toBeVisible();
  await expect(messageItem(bobPage, 'meet at 6 pm')).toHaveCount(0);
  await expect(bobPage.getByText(/not arrived yet/)).toHaveCount(0);
});

test('conversation list keeps an edited chat in place', async ({ relay, openBrowser }, testInfo) => {
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');
  const carol = await openBrowser('carol');
  await createIdentity(alice.page, relay.url, 'Alice');
  await createIdentity(bob.page, relay.url, 'Bob');
  await createIdentity(carol.page, relay.url, 'Carol');
  await waitUntilOnline(alice.page);
  await waitUntilOnline(bob.page);
  await addContact(alice.page, await readOwnInvite(bob.page));
  await sendMessage(alice.page, 'lunch at noon?');
  await acceptRequest(bob.page, 'Alice');
  await expectConversation(bob.page, ['lunch at noon?']);
  await addContact(alice.page, await readOwnInvite(carol.page));
  await sendMessage(alice.page, 'the slides are ready');

  const aliceBobTime = conversationList(alice.page).getByRole('button', { name: /^Bob/ }).locator('time');
  const sentAt = await aliceBobTime.getAttribute('datetime');
  expect(sentAt).not.toBeNull();
  await openConversation(alice.page, 'Bob');
  const menu = await openMessageMenu(alice.page, 'lunch at noon?');
  await menu.getByRole('menuitem', { name: 'Edit' }).click();
  const dialog = alice.page.getByRole('dialog', { name: 'Edit message' });
  await dialog.getByRole('textbox', { name: 'Message text' }).fill('lunch at one?');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(messageItem(bob.page, 'lunch at one?')).toContainText('edited');

  // The edit shows in Bob's row, which stays below Carol's newer chat, and in Alice's row on Bob's side.
  const rows = conversationList(alice.page).getByRole('button', { name: /^(Bob|Carol)/ });
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText('Carol');
  await expect(rows.nth(1)).toContainText('Bob');
  await expect(rows.nth(1)).toContainText('You: lunch at one? (edited)');
  const bobRow = conversationList(bob.page).getByRole('button', { name: /^Alice/ });
  await expect(bobRow).toContainText('lunch at one? (edited)');
  await expect(aliceBobTime).toHaveAttribute('datetime', sentAt!);

  // At phone width the open chat covers the list, so the screenshots start from the list.
  await alice.page.setViewportSize({ width: 360, height: 780 });
  await alice.page.getByRole('button', { name: 'Back to conversations' }).click();
  for (const width of [360, 1280]) {
    for (const colorScheme of ['light', 'dark'] as const) {
      await alice.page.setViewportSize({ width, height: width < 768 ? 780 : 900 });
      await alice.page.emulateMedia({ colorScheme });
      await expect(rows.nth(1)).toBeVisible();
      await alice.page.screenshot({ path: testInfo.outputPath(`list-after-edit-${width}-${colorScheme}.png`) });
    }
  }
  await alice.page.emulateMedia({ colorScheme: 'light' });

  // A deletion for everyone previews the notice the chat shows, still in the same place.
  await alice.page.setViewportSize({ width: 1280, height: 900 });
  await openConversation(alice.page, 'Bob');
  const deleteMenu = await openMessageMenu(alice.page, 'lunch at one?');
  await deleteMenu.getByRole('menuitem', { name: 'Delete for everyone' }).click();
  await alice.page.getByRole('dialog', { name: 'Delete for everyone?' }).getByRole('button', { name: 'Delete' }).click();
  await expect(rows.nth(1)).toContainText('You deleted this message.');
  await expect(rows.nth(0)).toContainText('Carol');
  await expect(bobRow).toContainText('This message was deleted.');
});

test('message menu at the bottom opens upwards on a phone', async ({ relay, openBrowser }, testInfo) => {
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');
  await alice.page.setViewportSize({ width: 360, height: 780 });
  await createIdentity(alice.page, relay.url, 'Alice');
  await createIdentity(bob.page, relay.url, 'Bob');
  await addContact(alice.page, await readOwnInvite(bob.page));
  // Enough messages to fill the log, so the newest one sits just above the composer.
  for (let index = 1; index <= 12; index++) await sendMessage(alice.page, `earlier message ${index}`);
  await sendMessage(alice.page, 'the newest message');

  const menu = await openMessageMenu(alice.page, 'the newest message');

  await alice.page.screenshot({ path: testInfo.outputPath('menu-at-bottom-360.png') });
  // The whole menu lies inside the message log, so neither the log's edge nor the composer cuts it.
  const menuBox = await menu.boundingBox();
  const logBox = await alice.page.getByRole('log', { name: 'Messages' }).boundingBox();
  expect(menuBox!.y).toBeGreaterThanOrEqual(logBox!.y);
  expect(menuBox!.y + menuBox!.height).toBeLessThanOrEqual(logBox!.y + logBox!.height);
  await menu.getByRole('menuitem', { name: 'Delete for everyone' }).click();
  await alice.page.getByRole('dialog', { name: 'Delete for everyone?' }).getByRole('button', { name: 'Delete' }).click();
  await expect(messageItem(alice.page, 'the newest message')).toHaveCount(0);
});
