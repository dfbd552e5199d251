import { assertAppBuilt, test, expect } from './fixtures.ts';
import {
  acceptRequest,
  addContact,
  countStoredRows,
  createIdentity,
  deliveryTimeoutMs,
  expectConversation,
  expectDeliveryStatus,
  messageBox,
  openConversation,
  readOwnInvite,
  sendMessage,
  waitUntilOnline,
} from './app.ts';
import type { Page } from '@playwright/test';

test.beforeAll(() => assertAppBuilt());

/** Draws a 300×200 PNG in the page and returns its bytes, as a photo a user would pick. */
async function makePicture(page: Page): Promise<Buffer> {
  const base64 = await page.evaluate(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 300;
    canvas.height = 200;
    const context = canvas.getContext('2d');
    if (!context) throw new Error('no 2D canvas');
    context.fillStyle = '#7c3aed';
    context.fillRect(0, 0, 300, 200);

    return canvas.toDataURL('image/png').split(',')[1] ?? '';
  });

  return Buffer.from(base64, 'base64');
}

test('a profile update waits for an offline contact, and a block stops their messages', async ({ relay, openBrowser }) => {
  test.setTimeout(180_000);
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');
  await createIdentity(alice.page, relay.url, 'Alice');
  await createIdentity(bob.page, relay.url, 'Bob');
  await waitUntilOnline(alice.page);
  await waitUntilOnline(bob.page);
  await addContact(alice.page, await readOwnInvite(bob.page));
  await sendMessage(alice.page, 'hello Bob');
  await acceptRequest(bob.page, 'Alice');

  // Bob is offline while Alice changes her name, status and picture.
  await bob.close();
  await alice.page.getByRole('button', { name: 'My profile' }).click();
  const dialog = alice.page.getByRole('dialog');
  await dialog.locator('input[type=file]').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: await makePicture(alice.page) });
  await expect(dialog.getByRole('img', { name: 'Your picture' })).toHaveAttribute('src', /^data:image\/jpeg;base64,/);
  await dialog.getByRole('textbox', { name: 'Display name' }).fill('Alice Stage');
  await dialog.getByRole('textbox', { name: 'Status' }).fill('At the main stage');
  await dialog.getByRole('button', { name: 'Save profile' }).click();
  await expect(dialog.getByText('Saved.')).toBeVisible();
  await dialog.getByRole('button', { name: 'Close', exact: true }).click();

  const bobPage = await bob.reopen();
  await bobPage.goto(relay.url);
  await openConversation(bobPage, 'Alice');
  await expect(bobPage.getByRole('heading', { name: 'Alice Stage' })).toBeVisible({ timeout: deliveryTimeoutMs });
  await expect(bobPage.getByText('At the main stage')).toBeVisible();
  await expectConversation(bobPage, ['hello Bob']);

  // Bob blocks Alice: what she sends next is not stored.
  await bobPage.getByRole('button', { name: 'Block', exact: true }).click();
  await bobPage.getByRole('dialog').getByRole('button', { name: 'Block Alice Stage' }).click();
  await expect(messageBox(bobPage)).toBeHidden();
  const before = await countStoredRows(bobPage);
  await openConversation(alice.page, 'Bob');
  await sendMessage(alice.page, 'are you there?');
  // With no direct link, the message goes out through the relay mailbox, which Bob empties.
  await expectDeliveryStatus(alice.page, 'are you there?', 'sent');
  await bobPage.waitForTimeout(3_000);
  expect(await countStoredRows(bobPage)).toEqual(before);

  // Unblocking from Lists lets messages through again.
  await bobPage.getByRole('button', { name: 'Lists', exact: true }).click();
  await bobPage.getByRole('button', { name: 'Unblock Alice Stage' }).click();
  await sendMessage(alice.page, 'back again');
  await openConversation(bobPage, 'Alice Stage');
  await expect(bobPage.getByRole('log', { name: 'Messages' }).getByText('back again')).toBeVisible({ timeout: deliveryTimeoutMs });
});
