import type { Locator, Page } from '@playwright/test';
import { assertAppBuilt, expect, test } from './fixtures.ts';
import { addContact, conversationList, createIdentity, deliveryTimeoutMs, readOwnInvite, sendMessage, waitUntilOnline } from './app.ts';

test.beforeAll(() => assertAppBuilt());

/** The conversation list's rows, top to bottom. */
function listRows(page: Page): Locator {
  return conversationList(page).getByRole('listitem');
}

function groupButton(page: Page, name: string): Locator {
  return conversationList(page).getByRole('button', { name: `${name} (Group)` });
}

async function sendToGroup(page: Page, text: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Message to the group' }).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByRole('log', { name: 'Group messages' }).getByText(text)).toBeVisible();
}

/** Fails when the page scrolls sideways, which at 360 px means something does not fit. */
async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

  expect(overflow).toBeLessThanOrEqual(0);
}

test('conversation list orders groups and chats by activity; a member leaves', async ({ relay, openBrowser }, testInfo) => {
  test.setTimeout(240_000);
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');
  await createIdentity(alice.page, relay.url, 'Alice');
  await createIdentity(bob.page, relay.url, 'Bob');
  await waitUntilOnline(alice.page);
  await waitUntilOnline(bob.page);
  await addContact(alice.page, await readOwnInvite(bob.page));
  await sendMessage(alice.page, 'hi Bob');

  await alice.page.getByRole('button', { name: 'New group' }).click();
  const dialog = alice.page.getByRole('dialog');
  await dialog.getByRole('textbox', { name: 'Group name' }).fill('Crew');
  await dialog.getByRole('checkbox', { name: 'Bob' }).check();
  await dialog.getByRole('button', { name: 'Create group' }).click();
  await expect(dialog).toBeHidden();
  await sendToGroup(alice.page, 'hello crew');

  // The group had the latest activity, so it comes first, with its last message as preview.
  await expect(listRows(alice.page)).toHaveCount(2);
  await expect(listRows(alice.page).nth(0)).toContainText('Crew');
  await expect(listRows(alice.page).nth(0)).toContainText('You: hello crew');
  await expect(listRows(alice.page).nth(1)).toContainText('Bob');
  await expect(listRows(alice.page).nth(1)).toContainText('You: hi Bob');

  // On Bob's side the group arrives with one unread message, above Alice's message request.
  await expect(groupButton(bob.page, 'Crew')).toContainText('Alice: hello crew', { timeout: deliveryTimeoutMs });
  await expect(groupButton(bob.page, 'Crew')).toContainText('1 unread');
  await expect(listRows(bob.page).nth(0)).toContainText('Crew');
  await expect(listRows(bob.page).nth(1)).toContainText('Alice');

  // A newer chat message moves the chat above the group.
  await conversationList(alice.page).getByRole('button', { name: 'Bob' }).click();
  await sendMessage(alice.page, 'newer chat');
  await expect(listRows(alice.page).nth(0)).toContainText('You: newer chat');
  await expect(listRows(alice.page).nth(1)).toContainText('Crew');

  // Bob leaves the group: his copy turns read-only, and Alice sees the leave entry.
  await groupButton(bob.page, 'Crew').click();
  await expect(bob.page.getByRole('log', { name: 'Group messages' }).getByText('hello crew')).toBeVisible();
  await expect(groupButton(bob.page, 'Crew')).not.toContainText('unread');
  await bob.page.getByRole('button', { name: 'Members', exact: true }).click();
  const panel = bob.page.getByRole('dialog');
  await panel.getByRole('button', { name: 'Leave group' }).click();
  await expect(panel.getByText('Leave “Crew”?')).toBeVisible();
  await panel.getByRole('button', { name: 'Leave', exact: true }).click();
  await expect(panel).toBeHidden();
  await expect(bob.page.getByText('You left this group')).toBeVisible();
  await expect(bob.page.getByRole('textbox', { name: 'Message to the group' })).toBeHidden();
  await expect(groupButton(bob.page, 'Crew')).toContainText('you left');

  await groupButton(alice.page, 'Crew').click();
  await expect(alice.page.getByRole('log', { name: 'Group messages' }).getByText('Bob left the group')).toBeVisible({ timeout: deliveryTimeoutMs });
  await sendToGroup(alice.page, 'after Bob left');
  await alice.page.waitForTimeout(2_000);
  await expect(bob.page.getByRole('log', { name: 'Group messages' }).getByText('after Bob left')).toHaveCount(0);

  for (const colorScheme of ['light', 'dark'] as const) {
    await bob.page.emulateMedia({ colorScheme });
    for (const width of [360, 1280]) {
      await bob.page.setViewportSize({ width, height: width === 360 ? 720 : 800 });
      if (!(await bob.page.getByText('You left this group').isVisible())) await groupButton(bob.page, 'Crew').click();
      await expect(bob.page.getByText('You left this group')).toBeVisible();
      await expectNoSidewaysScroll(bob.page);
      await bob.page.screenshot({ path: testInfo.outputPath(`left-group-${width}-${colorScheme}.png`) });

      if (width === 360) await bob.page.getByRole('button', { name: 'Back to conversations' }).click();
      await expect(conversationList(bob.page)).toBeVisible();
      await expectNoSidewaysScroll(bob.page);
      await bob.page.screenshot({ path: testInfo.outputPath(`list-${width}-${colorScheme}.png`) });
    }
  }
});
