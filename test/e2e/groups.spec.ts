import type { Locator, Page } from '@playwright/test';
import { assertAppBuilt, expect, test } from './fixtures.ts';
import { addContact, createIdentity, deliveryTimeoutMs, readOwnInvite, waitUntilOnline } from './app.ts';

test.beforeAll(() => assertAppBuilt());

function groupList(page: Page): Locator {
  return page.getByRole('navigation', { name: 'Conversations' });
}

function groupLog(page: Page): Locator {
  return page.getByRole('log', { name: 'Group messages' });
}

function groupMessage(page: Page, text: string): Locator {
  return groupLog(page).getByRole('listitem').filter({ hasText: text });
}

async function openGroup(page: Page, name: string): Promise<void> {
  // The group's own button, not the cancel button of a join request that names the group too.
  await groupList(page).getByRole('button', { name: `${name} (Group)` }).click({ timeout: deliveryTimeoutMs });
  await expect(groupLog(page)).toBeVisible();
}

async function sendToGroup(page: Page, text: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Message to the group' }).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(groupMessage(page, text)).toBeVisible();
}

/** Reads the texts of the group messages this browser stored, whatever the screen shows. */
async function storedGroupTexts(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const handle = (globalThis as unknown as { meshtext: { db: { groupMessages: { toArray(): Promise<Array<{ text?: string }>> } } } }).meshtext;
    const rows = await handle.db.groupMessages.toArray();

    return rows.map((row) => row.text ?? '').filter((text) => text !== '');
  });
}

test('group chat, removal, join link and catch-up', async ({ relay, openBrowser }) => {
  test.setTimeout(360_000);
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');
  const carol = await openBrowser('carol');
  const dave = await openBrowser('dave');
  for (const [browser, name] of [[alice, 'Alice'], [bob, 'Bob'], [carol, 'Carol'], [dave, 'Dave']] as const) {
    await createIdentity(browser.page, relay.url, name);
    await waitUntilOnline(browser.page);
  }

  await addContact(alice.page, await readOwnInvite(bob.page));
  await addContact(alice.page, await readOwnInvite(carol.page));

  await alice.page.getByRole('button', { name: 'New group' }).click();
  const createDialog = alice.page.getByRole('dialog');
  await createDialog.getByRole('textbox', { name: 'Group name' }).fill('Crew');
  await createDialog.getByRole('checkbox', { name: 'Bob' }).check();
  await createDialog.getByRole('checkbox', { name: 'Carol' }).check();
  await createDialog.getByRole('button', { name: 'Create group' }).click();
  await expect(createDialog).toBeHidden();
  await expect(groupLog(alice.page).getByText('You created the group “Crew”')).toBeVisible();

  await sendToGroup(alice.page, 'hello crew');
  for (const member of [bob, carol]) {
    await openGroup(member.page, 'Crew');
    await expect(groupMessage(member.page, 'hello crew')).toBeVisible({ timeout: deliveryTimeoutMs });
    await expect(groupMessage(member.page, 'hello crew')).toHaveAttribute('data-sender', 'Alice');
  }
  await sendToGroup(bob.page, 'hi from Bob');
  await expect(groupMessage(alice.page, 'hi from Bob')).toHaveAttribute('data-sender', 'Bob', { timeout: deliveryTimeoutMs });
  await expect(groupMessage(carol.page, 'hi from Bob')).toHaveAttribute('data-sender', 'Bob', { timeout: deliveryTimeoutMs });

  // Alice removes Carol; what is sent afterwards never reaches Carol's screen or storage.
  await alice.page.getByRole('button', { name: 'Members', exact: true }).click();
  const panel = alice.page.getByRole('dialog');
  await panel.getByRole('button', { name: 'Remove Carol' }).click();
  await expect(panel.getByText('Former members: Carol')).toBeVisible();
  await panel.getByRole('button', { name: 'Close' }).click();
  await expect(groupLog(alice.page).getByText('You removed Carol')).toBeVisible();
  await expect(carol.page.getByText('You are no longer a member of this group')).toBeVisible({ timeout: deliveryTimeoutMs });
  await expect(groupLog(bob.page).getByText('Alice removed Carol')).toBeVisible({ timeout: deliveryTimeoutMs });

  await expect(alice.page.getByRole('textbox', { name: 'Message to the group' })).toBeVisible();
  await sendToGroup(alice.page, 'after Carol left');
  await expect(groupMessage(bob.page, 'after Carol left')).toBeVisible({ timeout: deliveryTimeoutMs });

  // Dave joins through the join link and Alice approves him.
  await alice.page.getByRole('button', { name: 'Members', exact: true }).click();
  const joinLink = await panel.getByRole('textbox', { name: 'Join link' }).inputValue();
  expect(joinLink).toContain('#/group/v1.');
  await dave.page.goto(joinLink);
  const joinDialog = dave.page.getByRole('dialog');
  await expect(joinDialog.getByText('Alice invited you to “Crew”')).toBeVisible();
  await joinDialog.getByRole('button', { name: 'Ask to join' }).click();
  await expect(joinDialog.getByText('Request sent')).toBeVisible();
  await joinDialog.getByRole('button', { name: 'Close' }).click();
  await expect(groupList(dave.page).getByRole('button', { name: 'Cancel the join request for Crew' })).toBeVisible();
  await panel.getByRole('button', { name: 'Approve' }).click({ timeout: deliveryTimeoutMs });
  await expect(panel.getByRole('listitem').filter({ hasText: 'Dave' })).toBeVisible();
  await panel.getByRole('button', { name: 'Close' }).click();
  await openGroup(dave.page, 'Crew');
  await expect(dave.page.getByRole('textbox', { name: 'Message to the group' })).toBeVisible({ timeout: deliveryTimeoutMs });
  await sendToGroup(alice.page, 'welcome Dave');
  await expect(groupMessage(dave.page, 'welcome Dave')).toBeVisible({ timeout: deliveryTimeoutMs });

  // Dave closes the app, Alice posts and goes offline; Dave catches up from Bob.
  await dave.close();
  await sendToGroup(alice.page, 'while Dave was away');
  await expect(groupMessage(bob.page, 'while Dave was away')).toBeVisible({ timeout: deliveryTimeoutMs });
  await alice.close();
  const davePage = await dave.reopen();
  await davePage.goto(relay.url);
  await openGroup(davePage, 'Crew');
  await expect(groupMessage(davePage, 'while Dave was away')).toHaveAttribute('data-sender', 'Alice', { timeout: deliveryTimeoutMs });

  await expect(groupMessage(carol.page, 'after Carol left')).toHaveCount(0);
  const carolTexts = await storedGroupTexts(carol.page);
  expect(carolTexts).toEqual(expect.arrayContaining(['hello crew', 'hi from Bob']));
  expect(carolTexts).not.toContain('after Carol left');
  expect(carolTexts).not.toContain('welcome Dave');
  expect(carolTexts).not.toContain('while Dave was away');
});
