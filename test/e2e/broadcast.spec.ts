import { assertAppBuilt, test, expect, type TestBrowser } from './fixtures.ts';
import {
  conversationList,
  createIdentity,
  deliveryTimeoutMs,
  expectConversation,
  messageBox,
  messageItem,
  openConversation,
  waitUntilOnline,
} from './app.ts';
import type { Page } from '@playwright/test';

test.beforeAll(() => assertAppBuilt());

/** Creates a list on the organiser's Lists screen and returns its join link. */
async function createList(page: Page, name: string): Promise<string> {
  await page.getByRole('button', { name: 'Lists', exact: true }).click();
  await page.getByRole('textbox', { name: 'New list name' }).fill(name);
  await page.getByRole('button', { name: 'Create list' }).click();

  await page.getByText(name, { exact: true }).click();
  const linkBox = page.getByRole('textbox', { name: `Join link of ${name}` });
  await expect(linkBox).toHaveValue(/#\/join\/v1\./);

  return linkBox.inputValue();
}

/** Opens a join link as a person following it would, and joins the list. */
async function joinList(page: Page, link: string): Promise<void> {
  await page.goto(link);

  const dialog = page.getByRole('dialog', { name: 'Join a list' });
  await expect(dialog).toContainText('invites you to the list "Volunteers"');
  await dialog.getByRole('button', { name: 'Join', exact: true }).click();

  await expect(dialog).toBeHidden();
  await expect(messageBox(page)).toBeVisible();
}

/** Writes a broadcast to one list and sends it through the button that names `expectedCount` recipients. */
async function sendBroadcast(page: Page, listLabel: string, template: string, expectedCount: number): Promise<void> {
  await page.getByRole('button', { name: 'New broadcast' }).click();
  await page.getByRole('checkbox', { name: listLabel }).check();
  await messageBox(page).fill(template);

  await page.getByRole('button', { name: `Send to ${expectedCount}` }).click();
  await expect(page.getByRole('heading', { name: 'Broadcast', exact: true })).toBeVisible();
}

function recipientLine(page: Page, name: string) {
  return page.getByRole('list', { name: 'Recipients' }).getByRole('listitem').filter({ hasText: name });
}

test('a broadcast with {name} reaches three contacts personalised; one opts out; the next broadcast skips them', async ({ relay, openBrowser }) => {
  // Four Chromium processes share the machine, so this scenario needs more than the default time.
  test.setTimeout(300_000);
  const names = ['Olivia', 'Bob', 'Carol', 'Dan'] as const;
  const browsers: TestBrowser[] = [];
  for (const name of names) browsers.push(await openBrowser(name.toLowerCase()));
  const [olivia, bob, carol, dan] = browsers.map((browser) => browser.page) as [Page, Page, Page, Page];
  await Promise.all(names.map((name, index) => createIdentity(browsers[index]!.page, relay.url, name)));
  await Promise.all(browsers.map((browser) => waitUntilOnline(browser.page)));

  const joinLink = await createList(olivia, 'Volunteers');
  for (const page of [bob, carol, dan]) await joinList(page, joinLink);
  await expect(olivia.getByText('3 members')).toBeVisible({ timeout: deliveryTimeoutMs });

  // The first broadcast: each person gets a one-to-one message with their own name.
  await sendBroadcast(olivia, 'Volunteers (3)', 'Hi {name}, rehearsal at six', 3);
  await expect(olivia.getByRole('status').filter({ hasText: 'Delivered to 3 of 3' })).toBeVisible({ timeout: deliveryTimeoutMs });
  for (const [page, name] of [[bob, 'Bob'], [carol, 'Carol'], [dan, 'Dan']] as const) {
    await expectConversation(page, [`Hi ${name}, rehearsal at six`]);
  }

  // Carol opts out from her chat with Olivia; Olivia sees it in her chat with Carol and in the list.
  await carol.getByRole('button', { name: 'Stop broadcasts' }).click();
  await expect(carol.getByText('You stopped broadcasts from Olivia')).toBeVisible();
  await expect(recipientLine(olivia, 'Carol').getByText('Opted out later')).toBeVisible({ timeout: deliveryTimeoutMs });
  await openConversation(olivia, 'Carol');
  await expect(olivia.getByText('Carol opted out of your broadcasts')).toBeVisible();
  await olivia.getByRole('button', { name: 'Lists', exact: true }).click();
  await olivia.getByText('Volunteers', { exact: true }).click();
  await expect(olivia.getByRole('listitem').filter({ hasText: 'Carol' }).getByText('Opted out')).toBeVisible();

  // The second broadcast skips Carol.
  await sendBroadcast(olivia, 'Volunteers (3)', 'Second call for {first}', 2);
  await expect(recipientLine(olivia, 'Carol')).toContainText('Opted out');
  await expect(olivia.getByRole('status').filter({ hasText: 'Delivered to 2 of 2' })).toBeVisible({ timeout: deliveryTimeoutMs });
  // Bob and Dan have the chat open, so their read receipts may already have turned Delivered into Read.
  await expect(recipientLine(olivia, 'Bob')).toContainText(/Delivered|Read/);
  await expect(recipientLine(olivia, 'Dan')).toContainText(/Delivered|Read/);
  await expectConversation(bob, ['Hi Bob, rehearsal at six', 'Second call for Bob']);
  await expectConversation(dan, ['Hi Dan, rehearsal at six', 'Second call for Dan']);
  await expectConversation(carol, ['Hi Carol, rehearsal at six']);

  // Replies land in the separate one-to-one threads.
  await messageBox(bob).fill('Bob will be there');
  await bob.getByRole('button', { name: 'Send' }).click();
  await openConversation(olivia, 'Bob');
  await expectConversation(olivia, ['Hi Bob, rehearsal at six', 'Second call for Bob', 'Bob will be there']);
  await expect(conversationList(olivia).getByRole('button', { name: /Broadcast to 3 people/ })).toHaveCount(2);
});

test('stop control without the broadcast loaded', async ({ relay, openBrowser }) => {
  test.setTimeout(180_000);
  const oliviaBrowser = await openBrowser('olivia');
  const bobBrowser = await openBrowser('bob');
  const [olivia, bob] = [oliviaBrowser.page, bobBrowser.page];
  await createIdentity(olivia, relay.url, 'Olivia');
  await createIdentity(bob, relay.url, 'Bob');
  await Promise.all([waitUntilOnline(olivia), waitUntilOnline(bob)]);

  const joinLink = await createList(olivia, 'Volunteers');
  await joinList(bob, joinLink);
  await expect(olivia.getByText('1 member')).toBeVisible({ timeout: deliveryTimeoutMs });
  await expect(bob.getByRole('button', { name: 'Stop broadcasts' })).toHaveCount(0);

  await sendBroadcast(olivia, 'Volunteers (1)', 'Hi {name}, the old broadcast', 1);
  await expectConversation(bob, ['Hi Bob, the old broadcast']);

  // More personal messages follow it than the chat loads at first (60). The checks below confirm the broadcast is not loaded.
  const laterCount = 80;
  await bob.evaluate(async (count) => {
    const { db } = (globalThis as unknown as { meshtext: SeedHandle }).meshtext;
    const [sender] = await db.contacts.toArray();
    const startAt = Date.now();
    const rows = Array.from({ length: count }, (_, index) => ({
      id: `later-message-${index}`,
      conversation: sender!.address,
      direction: 'in',
      sender: sender!.address,
      instance: 'later-install',
      seq: index + 1,
      text: `Later note ${index}`,
      sentAt: startAt + index,
      storedAt: startAt + index,
      status: 'received',
      readAt: startAt + index,
    }));
    await db.messages.bulkAdd(rows);
  }, laterCount);
  await bob.reload();
  await openConversation(bob, 'Olivia');
  await expect(messageItem(bob, `Later note ${laterCount - 1}`)).toBeVisible();
  await expect(messageItem(bob, 'the old broadcast')).toHaveCount(0);

  await expect(bob.getByRole('button', { name: 'Stop broadcasts' })).toBeVisible();
  await bob.getByRole('button', { name: 'Stop broadcasts' }).click();
  await expect(bob.getByText('You stopped broadcasts from Olivia')).toBeVisible();
});

/** What the spec above reaches through the app's debugging handle to add messages quickly. */
interface SeedHandle {
  db: {
    contacts: { toArray(): Promise<{ address: string }[]> };
    messages: { bulkAdd(rows: unknown[]): Promise<unknown> };
  };
}
