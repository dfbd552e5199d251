import type { Locator, Page } from '@playwright/test';
import { assertAppBuilt, expect, test } from './fixtures.ts';
import { addContact, conversationList, createIdentity, deliveryTimeoutMs, readOwnInvite, waitUntilOnline } from './app.ts';

test.beforeAll(() => assertAppBuilt());

function groupLog(page: Page): Locator {
  return page.getByRole('log', { name: 'Group messages' });
}

async function openGroup(page: Page, name: string): Promise<void> {
  await conversationList(page).getByRole('button', { name: `${name} (Group)` }).click({ timeout: deliveryTimeoutMs });
  await expect(groupLog(page)).toBeVisible();
}

async function sendToGroup(page: Page, text: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Message to the group' }).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(groupLog(page).getByText(text)).toBeVisible();
}

/** Changes the user's keys through the profile and waits until the reloaded app is online. */
async function changeKeys(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'My profile' }).click();
  const dialog = page.getByRole('dialog', { name: 'My profile' });
  await dialog.getByRole('button', { name: 'Change my keys' }).click();
  const confirmation = dialog.getByRole('group', { name: /Change your keys now\?/ });
  await confirmation.getByRole('button', { name: 'Change keys' }).click();

  await expect(dialog).toBeHidden({ timeout: deliveryTimeoutMs });
  await waitUntilOnline(page);
}

test('a member who changes keys stays in the group', async ({ relay, openBrowser }) => {
  test.setTimeout(180_000);
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');
  await createIdentity(alice.page, relay.url, 'Alice');
  await createIdentity(bob.page, relay.url, 'Bob');
  await waitUntilOnline(alice.page);
  await waitUntilOnline(bob.page);
  await addContact(alice.page, await readOwnInvite(bob.page));

  await alice.page.getByRole('button', { name: 'New group' }).click();
  const dialog = alice.page.getByRole('dialog');
  await dialog.getByRole('textbox', { name: 'Group name' }).fill('Crew');
  await dialog.getByRole('checkbox', { name: 'Bob' }).check();
  await dialog.getByRole('button', { name: 'Create group' }).click();
  await sendToGroup(alice.page, 'before the change');
  await openGroup(bob.page, 'Crew');
  await expect(groupLog(bob.page).getByText('before the change')).toBeVisible({ timeout: deliveryTimeoutMs });

  await changeKeys(bob.page);

  // Alice's copy of the log follows Bob's rotate entry without her accepting anything.
  await expect(groupLog(alice.page).getByText('Bob changed keys')).toBeVisible({ timeout: deliveryTimeoutMs });
  await openGroup(bob.page, 'Crew');
  await expect(bob.page.getByRole('textbox', { name: 'Message to the group' })).toBeVisible({ timeout: deliveryTimeoutMs });
  await sendToGroup(bob.page, 'after the change');
  await expect(groupLog(alice.page).getByText('after the change')).toBeVisible({ timeout: deliveryTimeoutMs });
  await sendToGroup(alice.page, 'welcome back');
  await expect(groupLog(bob.page).getByText('welcome back')).toBeVisible({ timeout: deliveryTimeoutMs });
});
