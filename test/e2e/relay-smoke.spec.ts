import { test, expect, type TestBrowser, type TestRelay } from './fixtures.ts';
import { connectRawPeers, openRawPeer, randomPeerId, sendRaw, waitForReceived } from './raw-peerjs.ts';

// Raw PeerJS clients cannot sign the relay's ownership challenge.
test.use({ relayOptions: { skipOwnershipCheck: true } });

/**
 * Opens a page on the relay's origin without loading the app: /health is JSON, which Chromium
 * shows as a plain document. The page must come from the relay itself, because Chromium's
 * local network access checks block a page without a loopback origin address (one that
 * Playwright fulfilled, for example) from opening a WebSocket to 127.0.0.1.
 */
async function openPlainRelayPage(browser: TestBrowser, relay: TestRelay): Promise<void> {
  await browser.page.goto(`${relay.url}health`);
}

test('health endpoint returns JSON', async ({ relay, request }) => {
  const response = await request.get(`${relay.url}health`);

  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toContain('application/json');
  expect(await response.json()).toMatchObject({ status: 'ok', peers: 0 });
});

test('browsers exchange PeerJS data through relay', async ({ relay, openBrowser, request }) => {
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');
  const endpoint = { host: '127.0.0.1', port: relay.port, path: '/relay', key: 'meshtext' };
  const bobId = randomPeerId();

  await openPlainRelayPage(alice, relay);
  await openPlainRelayPage(bob, relay);
  await openRawPeer(alice.page, randomPeerId(), endpoint);
  await openRawPeer(bob.page, bobId, endpoint);

  const health = await request.get(`${relay.url}health`);
  expect(await health.json()).toMatchObject({ peers: 2 });

  await connectRawPeers(alice.page, bob.page, bobId);
  await sendRaw(alice.page, 'hello from alice');
  await sendRaw(bob.page, { text: 'hello from bob', bytes: [1, 2, 3] });

  expect(await waitForReceived(bob.page, 1)).toEqual(['hello from alice']);
  expect(await waitForReceived(alice.page, 1)).toEqual([{ text: 'hello from bob', bytes: [1, 2, 3] }]);
});
