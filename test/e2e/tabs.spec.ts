import { assertAppBuilt, test, expect } from './fixtures.ts';
import {
  acceptRequest,
  addContact,
  connectionStatus,
  conversationList,
  createIdentity,
  expectConversation,
  expectDeliveryStatus,
  messageItem,
  openConversation,
  readOwnInvite,
  sendMessage,
  waitUntilOnline,
} from './app.ts';

test.beforeAll(() => assertAppBuilt());

test('two tabs of one user share one connection', async ({ relay, openBrowser }) => {
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');
  await createIdentity(alice.page, relay.url, 'Alice');
  await createIdentity(bob.page, relay.url, 'Bob');
  await waitUntilOnline(alice.page);
  await waitUntilOnline(bob.page);
  await addContact(alice.page, await readOwnInvite(bob.page));
  await sendMessage(alice.page, 'hello from the first tab');
  await acceptRequest(bob.page, 'Alice');

  const secondTab = await alice.context.newPage();
  await secondTab.goto(relay.url);
  const otherTabNotice = secondTab.getByText('also open in another tab');

  await test.step('the second tab follows the first', async () => {
    await expect(otherTabNotice).toBeVisible();
    await expect(connectionStatus(secondTab)).toHaveText('Online');
    await expect(alice.page.getByText('also open in another tab')).toBeHidden();
  });

  await test.step('a message from Bob shows once in both tabs', async () => {
    await openConversation(secondTab, 'Bob');
    await sendMessage(bob.page, 'hi Alice, both tabs should see this');

    await expectConversation(alice.page, ['hello from the first tab', 'hi Alice, both tabs should see this']);
    await expectConversation(secondTab, ['hello from the first tab', 'hi Alice, both tabs should see this']);
  });

  await test.step('a chat open only in the second tab marks arrivals read', async () => {
    // At phone width the first tab can leave the chat for the list, so only the second tab shows it.
    await alice.page.setViewportSize({ width: 360, height: 780 });
    await alice.page.getByRole('button', { name: 'Back to conversations' }).click();
    await sendMessage(bob.page, 'read in the second tab');

    await expect(messageItem(secondTab, 'read in the second tab')).toHaveCount(1);
    await expect(conversationList(alice.page)).toContainText('read in the second tab');
    await expect(conversationList(alice.page)).not.toContainText('unread');
    await openConversation(alice.page, 'Bob');
    await alice.page.setViewportSize({ width: 1280, height: 720 });
  });

  await test.step('a message written in the second tab goes out through the first', async () => {
    await sendMessage(secondTab, 'written in the second tab');

    await expectDeliveryStatus(secondTab, 'written in the second tab', 'delivered');
    await expect(messageItem(bob.page, 'written in the second tab')).toHaveCount(1);
  });

  await test.step('the second tab takes over when the first closes', async () => {
    await alice.page.close();

    await expect(otherTabNotice).toBeHidden({ timeout: 15_000 });
    await waitUntilOnline(secondTab);
    await sendMessage(bob.page, 'still reaching you');
    await expectConversation(secondTab, [
      'hello from the first tab',
      'hi Alice, both tabs should see this',
      'written in the second tab',
      'still reaching you',
    ]);
    await expectDeliveryStatus(bob.page, 'still reaching you', 'delivered');
  });
});
