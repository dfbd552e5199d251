import type { Page } from '@playwright/test';
import { assertAppBuilt, test, expect, type TestBrowser, type TestRelay } from './fixtures.ts';
import {
  acceptRequest,
  addContact,
  contactStatus,
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

/** Alice and Bob with each other as contacts and one exchanged message each. */
async function connectedPair(
  relay: TestRelay,
  openBrowser: (name: string) => Promise<TestBrowser>,
): Promise<{ alice: TestBrowser; bob: TestBrowser; history: string[] }> {
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');
  await createIdentity(alice.page, relay.url, 'Alice');
  await createIdentity(bob.page, relay.url, 'Bob');
  await waitUntilOnline(alice.page);
  await waitUntilOnline(bob.page);
  await addContact(alice.page, await readOwnInvite(bob.page));
  await sendMessage(alice.page, 'hello Bob');
  await acceptRequest(bob.page, 'Alice');
  await sendMessage(bob.page, 'hello Alice');
  await expectDeliveryStatus(alice.page, 'hello Bob', 'delivered');
  await expectDeliveryStatus(bob.page, 'hello Alice', 'delivered');

  return { alice, bob, history: ['hello Bob', 'hello Alice'] };
}

/** Counts the RTCPeerConnection objects a page creates from now on. */
async function countPeerConnections(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const Original = window.RTCPeerConnection;
    const counter = window as unknown as { peerConnections: number };
    counter.peerConnections = 0;
    window.RTCPeerConnection = class extends Original {
      constructor(configuration?: RTCConfiguration) {
        super(configuration);
        counter.peerConnections++;
      }
    };
  });
}

test('killed browser gets queued messages once and in order on restart', async ({ relay, openBrowser }) => {
  const { alice, bob, history } = await connectedPair(relay, openBrowser);
  const whileDown = ['one while Bob is down', 'two while Bob is down', 'three while Bob is down'];

  await bob.kill();
  const killedAt = Date.now();
  await expect(contactStatus(alice.page)).toHaveText('Offline', { timeout: 15_000 });
  expect(Date.now() - killedAt).toBeLessThan(12_000);

  for (const text of whileDown) await sendMessage(alice.page, text);

  const bobPage = await bob.reopen();
  await bobPage.goto(relay.url);
  await openConversation(bobPage, 'Alice');
  await expectConversation(bobPage, [...history, ...whileDown]);
  for (const text of whileDown) await expectDeliveryStatus(alice.page, text, 'delivered');
  for (const text of whileDown) await expect(messageItem(bobPage, text)).toHaveCount(1);
});

test('message sent right after the peer reloads arrives once', async ({ relay, openBrowser }) => {
  const { alice, bob, history } = await connectedPair(relay, openBrowser);

  await bob.page.reload();
  await sendMessage(alice.page, 'sent during the reload');

  await openConversation(bob.page, 'Alice');
  await expectConversation(bob.page, [...history, 'sent during the reload']);
  await expectDeliveryStatus(alice.page, 'sent during the reload', 'delivered');
  await expect(messageItem(bob.page, 'sent during the reload')).toHaveCount(1);
});

test('messages to a contact who never came online wait and then arrive', async ({ relay, openBrowser }) => {
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');
  await createIdentity(alice.page, relay.url, 'Alice');
  await createIdentity(bob.page, relay.url, 'Bob');
  const bobInvite = await readOwnInvite(bob.page);
  await bob.close();

  await waitUntilOnline(alice.page);
  await addContact(alice.page, bobInvite);
  await sendMessage(alice.page, 'first before you arrive');
  await sendMessage(alice.page, 'second before you arrive');
  // Longer than the wait for a direct link, so the messages also went to the mailbox.
  await alice.page.waitForTimeout(16_000);
  await expect(messageItem(alice.page, 'first before you arrive').locator('[data-status]')).toHaveAttribute('data-status', /queued|sent/);

  const bobPage = await bob.reopen();
  await bobPage.goto(relay.url);
  await acceptRequest(bobPage, 'Alice');
  await expectConversation(bobPage, ['first before you arrive', 'second before you arrive']);
  await expectDeliveryStatus(alice.page, 'second before you arrive', 'delivered');
});

test('a thousand retries to an offline contact open no peer connection', async ({ relay, openBrowser }) => {
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');
  await countPeerConnections(alice.page);
  await createIdentity(alice.page, relay.url, 'Alice');
  await createIdentity(bob.page, relay.url, 'Bob');
  const bobInvite = await readOwnInvite(bob.page);
  await bob.close();
  await waitUntilOnline(alice.page);
  await addContact(alice.page, bobInvite);
  await sendMessage(alice.page, 'nobody home');

  // PeerJS creates one RTCPeerConnection when it loads, to probe what the browser supports.
  const { before, after } = await alice.page.evaluate(async () => {
    const app = (globalThis as unknown as { meshtext: { messenger: { deliverAll(): Promise<void> } } }).meshtext;
    const counter = window as unknown as { peerConnections: number };
    const before = counter.peerConnections;
    for (let attempt = 0; attempt < 1000; attempt++) await app.messenger.deliverAll();

    return { before, after: counter.peerConnections };
  });

  expect(after).toBe(before);
});
