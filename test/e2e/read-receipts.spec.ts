import type { Page } from '@playwright/test';
import { assertAppBuilt, test, expect, type TestBrowser, type TestRelay } from './fixtures.ts';
import {
  acceptRequest,
  addContact,
  createIdentity,
  deliveryStatus,
  expectDeliveryStatus,
  openConversation,
  readOwnInvite,
  sendMessage,
  waitUntilOnline,
} from './app.ts';

test.beforeAll(() => assertAppBuilt());

/** Counts the read receipts the user's app stores for any contact until the contact confirms them. */
async function countPendingReadReceipts(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const { db } = (globalThis as unknown as { meshtext: { db: { contacts: { toArray(): Promise<{ pendingReadReceipts?: string[] }[]> } } } }).meshtext;

    return (await db.contacts.toArray()).reduce((count, contact) => count + (contact.pendingReadReceipts?.length ?? 0), 0);
  });
}

/** Alice and Bob as contacts, with Bob back on his conversation list. */
async function pairWithClosedChat(
  relay: TestRelay,
  openBrowser: (name: string) => Promise<TestBrowser>,
): Promise<{ alice: TestBrowser; bob: TestBrowser }> {
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');
  await createIdentity(alice.page, relay.url, 'Alice');
  await createIdentity(bob.page, relay.url, 'Bob');
  await waitUntilOnline(alice.page);
  await waitUntilOnline(bob.page);
  await addContact(alice.page, await readOwnInvite(bob.page));
  await sendMessage(alice.page, 'hello Bob');
  await acceptRequest(bob.page, 'Alice');
  await expectDeliveryStatus(alice.page, 'hello Bob', 'read');
  // The back button shows only on narrow screens, so the chat closes through the app handle.
  await bob.page.evaluate(() => (globalThis as unknown as { meshtext: { open(address?: string): Promise<void> } }).meshtext.open(undefined));
  await expect(bob.page.getByRole('log', { name: 'Messages' })).toHaveCount(0);

  return { alice, bob };
}

test('message shows Read once the receiver opens the chat', async ({ relay, openBrowser }) => {
  const { alice, bob } = await pairWithClosedChat(relay, openBrowser);

  await sendMessage(alice.page, 'read me later');
  await expect(deliveryStatus(alice.page, 'read me later')).toHaveAttribute('data-status', 'delivered', { timeout: 45_000 });
  await alice.page.waitForTimeout(1_000);
  await expect(deliveryStatus(alice.page, 'read me later')).toHaveAttribute('data-status', 'delivered');

  await openConversation(bob.page, 'Alice');
  await expectDeliveryStatus(alice.page, 'read me later', 'read');
  await expect(deliveryStatus(alice.page, 'read me later')).toHaveText('Read');
  // Bob keeps each receipt until Alice's read-ack confirms it.
  await expect.poll(() => countPendingReadReceipts(bob.page)).toBe(0);
});

test('switched-off read receipts stay off after a reload', async ({ relay, openBrowser }) => {
  const { alice, bob } = await pairWithClosedChat(relay, openBrowser);

  await bob.page.getByRole('button', { name: 'My profile' }).click();
  const toggle = bob.page.getByRole('checkbox', { name: 'Send read receipts' });
  await expect(toggle).toBeChecked();
  await toggle.uncheck();
  // The setting is written asynchronously; reload only once it is stored.
  await expect
    .poll(() =>
      bob.page.evaluate(async () => {
        const handle = globalThis as unknown as { meshtext: { db: { settings: { get(key: string): Promise<{ value: unknown } | undefined> } } } };

        return (await handle.meshtext.db.settings.get('readReceipts'))?.value;
      }),
    )
    .toBe(false);
  await bob.page.reload();
  await bob.page.getByRole('button', { name: 'My profile' }).click();
  await expect(bob.page.getByRole('checkbox', { name: 'Send read receipts' })).not.toBeChecked();
  await bob.page.getByRole('button', { name: 'Close' }).first().click();
  await waitUntilOnline(bob.page);

  await sendMessage(alice.page, 'read without a receipt');
  await expect(deliveryStatus(alice.page, 'read without a receipt')).toHaveAttribute('data-status', 'delivered', { timeout: 45_000 });
  await openConversation(bob.page, 'Alice');
  await alice.page.waitForTimeout(2_000);

  await expect(deliveryStatus(alice.page, 'read without a receipt')).toHaveAttribute('data-status', 'delivered');
  await expect(deliveryStatus(alice.page, 'hello Bob')).toHaveAttribute('data-status', 'read');
});
