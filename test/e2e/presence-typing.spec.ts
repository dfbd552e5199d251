/** Online state, last seen and typing indicators in the chat header, and their switches. */

import type { Page } from '@playwright/test';
import { assertAppBuilt, expect, test } from './fixtures.ts';
import {
  acceptRequest,
  addContact,
  contactStatus,
  createIdentity,
  expectConversation,
  messageBox,
  readOwnInvite,
  sendMessage,
  waitUntilOnline,
} from './app.ts';

test.beforeAll(() => assertAppBuilt());

function typingIndicator(page: Page) {
  return page.getByRole('status').filter({ hasText: 'typing…' });
}

/** Sets a switch in the profile's privacy section and closes the profile. */
async function setSwitch(page: Page, name: RegExp, isOn: boolean): Promise<void> {
  await page.getByRole('button', { name: 'My profile' }).click();
  const dialog = page.getByRole('dialog', { name: 'My profile' });
  await dialog.getByRole('switch', { name }).setChecked(isOn);
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
}

test('typing shows, stops and can be switched off', async ({ relay, openBrowser }) => {
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');
  await createIdentity(alice.page, relay.url, 'Alice');
  await createIdentity(bob.page, relay.url, 'Bob');
  await waitUntilOnline(alice.page);
  await waitUntilOnline(bob.page);
  await addContact(alice.page, await readOwnInvite(bob.page));
  await sendMessage(alice.page, 'hi');
  await acceptRequest(bob.page, 'Alice');
  await expectConversation(bob.page, ['hi']);

  await messageBox(alice.page).pressSequentially('are you th');
  await expect(typingIndicator(bob.page)).toBeVisible();
  await expect(contactStatus(bob.page)).toBeHidden();
  await alice.page.getByRole('button', { name: 'Send' }).click();
  await expect(typingIndicator(bob.page)).toBeHidden();
  await expect(contactStatus(bob.page)).toHaveText('Online');

  // With typing off, Bob neither sees Alice typing nor sends his own.
  await setSwitch(bob.page, /typing indicators/, false);
  await messageBox(alice.page).pressSequentially('still there?');
  await messageBox(bob.page).pressSequentially('yes, typing slowly');
  await alice.page.waitForTimeout(1_500);
  await expect(typingIndicator(bob.page)).toBeHidden();
  await expect(typingIndicator(alice.page)).toBeHidden();

  // The switch is stored: it stays off after a reload.
  await bob.page.reload();
  await bob.page.getByRole('button', { name: 'My profile' }).click();
  await expect(bob.page.getByRole('switch', { name: /typing indicators/ })).not.toBeChecked();
});

test('last seen shows after the contact leaves', async ({ relay, openBrowser }) => {
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');
  await createIdentity(alice.page, relay.url, 'Alice');
  await createIdentity(bob.page, relay.url, 'Bob');
  await waitUntilOnline(alice.page);
  await waitUntilOnline(bob.page);
  await addContact(alice.page, await readOwnInvite(bob.page));
  await sendMessage(alice.page, 'hi');
  await acceptRequest(bob.page, 'Alice');
  await expect(contactStatus(alice.page)).toHaveText('Online', { timeout: 15_000 });

  await bob.close();

  await expect(contactStatus(alice.page)).toHaveText('Offline', { timeout: 15_000 });
  await expect(alice.page.getByText(/^· last seen \d/)).toBeVisible();

  await setSwitch(alice.page, /online/, false);
  await expect(contactStatus(alice.page)).toBeHidden();
  await expect(alice.page.getByText(/last seen/)).toBeHidden();
});
