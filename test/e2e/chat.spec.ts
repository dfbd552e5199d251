import { assertAppBuilt, test, expect, type TestBrowser, type TestRelay } from './fixtures.ts';
import {
  acceptRequest,
  addContact,
  connectionStatus,
  contactStatus,
  conversationList,
  createIdentity,
  expectConversation,
  expectDeliveryStatus,
  messageItem,
  openConversation,
  readOwnInvite,
  sendMessage,
  submitInvite,
  waitUntilOnline,
} from './app.ts';

interface Conversation {
  alice: TestBrowser;
  bob: TestBrowser;
  /** Messages both sides show so far, oldest first. */
  history: string[];
}

/**
 * Brings Alice and Bob to a running chat the way users do: Alice adds Bob's invite link and
 * writes first, Bob accepts her message request and replies. Waits for both receipts.
 */
async function startConversation(
  relay: TestRelay,
  openBrowser: (name: string) => Promise<TestBrowser>,
): Promise<Conversation> {
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');
  const greeting = 'Hi Bob, this is Alice';
  const answer = 'Hello Alice, nice to hear from you';

  await createIdentity(alice.page, relay.url, 'Alice');
  await createIdentity(bob.page, relay.url, 'Bob');
  await waitUntilOnline(alice.page);
  await waitUntilOnline(bob.page);

  const bobInvite = await readOwnInvite(bob.page);
  await addContact(alice.page, bobInvite);
  await expect(conversationList(alice.page).getByRole('button', { name: 'Bob' })).toBeVisible();
  await sendMessage(alice.page, greeting);

  await acceptRequest(bob.page, 'Alice');
  await expectConversation(bob.page, [greeting]);
  await sendMessage(bob.page, answer);

  await expectConversation(alice.page, [greeting, answer]);
  await expectDeliveryStatus(alice.page, greeting, 'delivered');
  await expectDeliveryStatus(bob.page, answer, 'delivered');

  return { alice, bob, history: [greeting, answer] };
}

/** Waits until the page's service worker is active and controls the page. */
async function waitForServiceWorker(browser: TestBrowser): Promise<void> {
  const page = browser.page;
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });

  // Without clients.claim() a new service worker controls only pages loaded after it.
  if (await page.evaluate(() => navigator.serviceWorker.controller === null)) await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
}

test.beforeAll(() => assertAppBuilt());

test('chat keeps order both ways and history after reload', async ({ relay, openBrowser }) => {
  const { alice, bob, history } = await startConversation(relay, openBrowser);
  const fromAlice = ['Alice line one', 'Alice line two', 'Alice line three'];
  const fromBob = ['Bob line one', 'Bob line two'];

  for (const text of fromAlice) await sendMessage(alice.page, text);
  await expectConversation(bob.page, [...history, ...fromAlice]);

  for (const text of fromBob) await sendMessage(bob.page, text);
  const fullHistory = [...history, ...fromAlice, ...fromBob];
  await expectConversation(alice.page, fullHistory);
  await expectConversation(bob.page, fullHistory);
  for (const text of fromAlice) await expectDeliveryStatus(alice.page, text, 'delivered');
  for (const text of fromBob) await expectDeliveryStatus(bob.page, text, 'delivered');

  await alice.page.reload();
  await bob.page.reload();
  await openConversation(alice.page, 'Bob');
  await openConversation(bob.page, 'Alice');

  await expectConversation(alice.page, fullHistory);
  await expectConversation(bob.page, fullHistory);
  await expectDeliveryStatus(alice.page, 'Alice line three', 'delivered');
  await expectDeliveryStatus(bob.page, 'Bob line two', 'delivered');
});

test('queued messages arrive once and in order', async ({ relay, openBrowser }) => {
  const { alice, bob, history } = await startConversation(relay, openBrowser);
  const whileAway = ['first while Bob is away', 'second while Bob is away', 'third while Bob is away'];

  await expect(contactStatus(alice.page)).toHaveText('Online');
  await bob.close();
  await expect(contactStatus(alice.page)).toHaveText('Offline', { timeout: 15_000 });
  for (const text of whileAway) await sendMessage(alice.page, text);
  for (const text of whileAway) await expectDeliveryStatus(alice.page, text, 'queued');

  const bobPage = await bob.reopen();
  await bobPage.goto(relay.url);
  await waitUntilOnline(bobPage);
  await openConversation(bobPage, 'Alice');

  const fullHistory = [...history, ...whileAway];
  await expectConversation(bobPage, fullHistory);
  for (const text of whileAway) await expectDeliveryStatus(alice.page, text, 'delivered');

  // Once every receipt is in, a duplicate could only come from a resend that ignored them.
  await expectConversation(bobPage, fullHistory);
  for (const text of whileAway) {
    await expect(messageItem(bobPage, text)).toHaveCount(1);
  }
});

test('app opens offline with its history', async ({ relay, openBrowser }) => {
  const { alice, history } = await startConversation(relay, openBrowser);

  await waitForServiceWorker(alice);

  await test.step('reload while offline', async () => {
    await alice.context.setOffline(true);
    await alice.page.reload();

    await expect(connectionStatus(alice.page)).toHaveText('Offline');
    await openConversation(alice.page, 'Bob');
    await expectConversation(alice.page, history);
  });

  await test.step('start the browser again while offline', async () => {
    const page = await alice.reopen();
    await alice.context.setOffline(true);
    await page.goto(relay.url);

    await expect(connectionStatus(page)).toHaveText('Offline');
    await openConversation(page, 'Bob');
    await expectConversation(page, history);
  });
});

test('malformed invite is rejected and changes nothing', async ({ relay, openBrowser }) => {
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');
  await createIdentity(alice.page, relay.url, 'Alice');
  await createIdentity(bob.page, relay.url, 'Bob');
  const bobInvite = await readOwnInvite(bob.page);

  // The payload is base64url of JSON that contains Bob's signed card, so renaming him breaks the signature.
  const [inviteBase, payload = ''] = bobInvite.split('#/invite/v1.');
  const wire = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  wire.card.name = 'Mallory';
  const renamedInvite = `${inviteBase}#/invite/v1.${Buffer.from(JSON.stringify(wire)).toString('base64url')}`;

  const cases = [
    { what: 'plain text', link: 'meet me on Meshtext', reason: /not .*invite/i },
    { what: 'characters outside base64url', link: `${relay.url}#/invite/v1.%%%not-base64%%%`, reason: /damaged|incomplete/i },
    { what: 'an unknown version', link: bobInvite.replace('#/invite/v1.', '#/invite/v9.'), reason: /version/i },
    { what: 'a cut-off payload', link: bobInvite.slice(0, bobInvite.length - 40), reason: /damaged|incomplete/i },
    { what: 'a changed name', link: renamedInvite, reason: /altered|signature/i },
  ];

  // The dialog stays open between cases. Neighbouring cases expect different reasons, so a
  // stale alert from the previous case cannot pass for the next one.
  for (const { what, link, reason } of cases) {
    await test.step(`invite with ${what}`, async () => {
      const dialog = await submitInvite(alice.page, link);

      const alert = dialog.getByRole('alert');
      await expect(alert).toBeVisible();
      await expect(alert).toContainText(reason);
      await expect(dialog.getByRole('textbox', { name: 'Invite link' })).toBeVisible();
    });
  }

  const contactButtons = conversationList(alice.page).getByRole('button', { name: /Bob|Mallory/ });
  await expect(contactButtons).toHaveCount(0);

  await alice.page.reload();
  await expect(connectionStatus(alice.page)).toBeVisible();
  await expect(contactButtons).toHaveCount(0);
});
