import { assertAppBuilt, test, expect } from './fixtures.ts';
import {
  acceptRequest,
  addContact,
  connectionStatus,
  createIdentity,
  expectConversation,
  expectDeliveryStatus,
  messageItem,
  openConversation,
  readOwnInvite,
  sendMessage,
  waitUntilOnline,
} from './app.ts';
import { startTcpProxy } from './tcp-proxy.ts';

test.beforeAll(() => assertAppBuilt());

test('app comes back online after its relay connection is cut', async ({ relay, openBrowser }) => {
  const proxy = await startTcpProxy(relay.port);
  try {
    const alice = await openBrowser('alice');
    await createIdentity(alice.page, proxy.url, 'Alice');
    await waitUntilOnline(alice.page);

    proxy.cut();
    await expect(connectionStatus(alice.page)).not.toHaveText('Online', { timeout: 15_000 });
    const cutAt = Date.now();

    await expect(connectionStatus(alice.page)).toHaveText('Online', { timeout: 20_000 });
    expect(Date.now() - cutAt).toBeLessThan(20_000);
  } finally {
    await proxy.close();
  }
});

test('reload over a half-open relay socket keeps the identity and gets queued mail', async ({ relay, openBrowser }) => {
  const proxy = await startTcpProxy(relay.port);
  try {
    const alice = await openBrowser('alice');
    const bob = await openBrowser('bob');
    await createIdentity(alice.page, proxy.url, 'Alice');
    await createIdentity(bob.page, relay.url, 'Bob');
    await waitUntilOnline(alice.page);
    await waitUntilOnline(bob.page);
    await addContact(bob.page, await readOwnInvite(alice.page));
    const aliceAddress = await alice.page.evaluate(() => (globalThis as unknown as { meshtext: { ownAddress: string } }).meshtext.ownAddress);

    // The relay keeps Alice's old sockets open, but they no longer carry anything.
    proxy.freeze();
    await sendMessage(bob.page, 'waiting for you after the reload');
    await alice.page.reload();

    await waitUntilOnline(alice.page);
    const addressAfterReload = await alice.page.evaluate(() => (globalThis as unknown as { meshtext: { ownAddress: string } }).meshtext.ownAddress);
    expect(addressAfterReload).toBe(aliceAddress);
    await acceptRequest(alice.page, 'Bob');
    await expectConversation(alice.page, ['waiting for you after the reload']);
    await expectDeliveryStatus(bob.page, 'waiting for you after the reload', 'delivered');
    await expect(messageItem(alice.page, 'waiting for you after the reload')).toHaveCount(1);
  } finally {
    await proxy.close();
  }
});

test('chat continues after the relay restarts', async ({ relay, openBrowser }) => {
  test.skip(relay.restart === undefined, 'the relay fixture cannot restart the relay');
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');
  await createIdentity(alice.page, relay.url, 'Alice');
  await createIdentity(bob.page, relay.url, 'Bob');
  await waitUntilOnline(alice.page);
  await waitUntilOnline(bob.page);
  await addContact(alice.page, await readOwnInvite(bob.page));
  await sendMessage(alice.page, 'before the relay stops');
  await acceptRequest(bob.page, 'Alice');

  await relay.restart?.(10_000);

  await waitUntilOnline(alice.page);
  await waitUntilOnline(bob.page);
  await sendMessage(bob.page, 'after the relay came back');
  await openConversation(alice.page, 'Bob');
  await expectConversation(alice.page, ['before the relay stops', 'after the relay came back']);
  await expectDeliveryStatus(bob.page, 'after the relay came back', 'delivered');
});
