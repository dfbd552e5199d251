/**
 * Identity and end-to-end security as users meet it: a relay that refuses a stolen address, an
 * altered invite, someone else answering at a contact's address, and a new identity that takes
 * a verified contact's name.
 */

import { createRequire } from 'node:module';
import type { Page } from '@playwright/test';
import nacl from 'tweetnacl';
import { addressFromSigningKey } from '../../src/core/address.ts';
import { toBase64Url } from '../../src/core/bytes.ts';
import { formatRelayToken, relayProofMessage } from '../../src/core/relay-proof.ts';
import { assertAppBuilt, expect, test, type TestBrowser, type TestRelay } from './fixtures.ts';
import {
  addContact,
  type AppHandle,
  contactStatus,
  conversationList,
  countStoredRows,
  createIdentity,
  deliveryTimeoutMs,
  expectConversation,
  expectDeliveryStatus,
  messageBox,
  nameClaimBanner,
  openRequest,
  readOwnAddress,
  readOwnInvite,
  readStoredMessage,
  sendMessage,
  submitInvite,
  waitUntilOnline,
  wrongKeyBanner,
} from './app.ts';
import type { RelayEndpoint } from './raw-peerjs.ts';

const peerjsBundlePath = createRequire(import.meta.url).resolve('peerjs/dist/peerjs.min.js');

/** Time the app waits for a direct link before it hands waiting messages to the mailbox, plus margin. */
const mailboxHandOverMs = 12_000;

test.beforeAll(() => assertAppBuilt());

/** Reopens a closed browser on the app and waits until it is registered at the relay again. */
async function comeBack(browser: TestBrowser, relay: TestRelay): Promise<Page> {
  const page = await browser.reopen();
  await page.goto(relay.url);
  await waitUntilOnline(page);

  return page;
}

/**
 * Registers `address` at the relay from a page that runs plain PeerJS, with a token made from a
 * fresh relay challenge signed by `signingSecretKey`. Returns 'open' when the relay accepts it,
 * else the PeerJS error as "<type>: <message>". The page must be on the relay's origin.
 */
async function registerRawPeer(page: Page, relay: TestRelay, address: string, signingSecretKey: Uint8Array): Promise<string> {
  const { challenge } = await page.evaluate(async () => {
    const response = await fetch('/relay/challenge', { cache: 'no-store' });

    return (await response.json()) as { challenge: string };
  });
  const signature = nacl.sign.detached(relayProofMessage(challenge), signingSecretKey);
  const token = formatRelayToken(challenge, toBase64Url(signature));
  const endpoint: RelayEndpoint = { host: '127.0.0.1', port: relay.port, path: '/relay', key: 'meshtext' };

  await page.addScriptTag({ path: peerjsBundlePath });

  return page.evaluate(
    async ({ address, token, endpoint }) => {
      const peer = new window.peerjs.Peer(address, { ...endpoint, token, secure: false, config: { iceServers: [] }, debug: 0 });
      const outcome = await new Promise<string>((resolve) => {
        peer.once('open', () => resolve('open'));
        peer.once('error', (error) => resolve(`${error.type}: ${error.message}`));
      });
      peer.destroy();

      return outcome;
    },
    { address, token, endpoint },
  );
}

/** Turns a user's app into one that registers at `address` with its own keys, as a squatter would. */
async function squatAddress(page: Page, address: string): Promise<void> {
  await page.evaluate((address) => (globalThis as unknown as { meshtext: AppHandle }).meshtext.db.identity.update('self', { address }), address);
  await page.reload();
  await expect(page.getByRole('status', { name: 'Connection' })).toBeVisible();
}

async function setVerified(page: Page, address: string, verifiedAt: number | undefined): Promise<void> {
  await page.evaluate(
    ({ address, verifiedAt }) => (globalThis as unknown as { meshtext: AppHandle }).meshtext.storage.updateContact(address, { verifiedAt }),
    { address, verifiedAt },
  );
}

test.describe('relay that checks address ownership', () => {
  test('refuses a stolen address and admits its owner', async ({ relay, openBrowser }) => {
    const alice = await openBrowser('alice');
    const bob = await openBrowser('bob');
    const carol = await openBrowser('carol');
    await createIdentity(alice.page, relay.url, 'Alice');
    await createIdentity(bob.page, relay.url, 'Bob');
    await waitUntilOnline(bob.page);
    await addContact(alice.page, await readOwnInvite(bob.page));
    const bobAddress = await readOwnAddress(bob.page);
    await bob.close();
    await expect(contactStatus(alice.page)).toHaveText('Offline', { timeout: deliveryTimeoutMs });

    const carolKeys = nacl.sign.keyPair();
    await carol.page.goto(`${relay.url}health`);
    const stolen = await registerRawPeer(carol.page, relay, bobAddress, carolKeys.secretKey);
    expect(stolen).toMatch(/^server-error: .*signature does not match the address/);

    // The same steps work for Carol's own address, so the refusal is about whose address it is.
    const own = await registerRawPeer(carol.page, relay, addressFromSigningKey(carolKeys.publicKey), carolKeys.secretKey);
    expect(own).toBe('open');
    await expect(contactStatus(alice.page)).toHaveText('Offline');

    await comeBack(bob, relay);
    await expect(contactStatus(alice.page)).toHaveText('Online', { timeout: deliveryTimeoutMs });
  });

  test('invite with a swapped address is refused and saves nothing', async ({ relay, openBrowser }) => {
    const alice = await openBrowser('alice');
    const bob = await openBrowser('bob');
    await createIdentity(alice.page, relay.url, 'Alice');
    await createIdentity(bob.page, relay.url, 'Bob');
    const bobInvite = await readOwnInvite(bob.page);
    const aliceAddress = await readOwnAddress(alice.page);

    const [inviteBase, payload = ''] = bobInvite.split('#/invite/v1.');
    const wire = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { address: string };
    const otherAddress = addressFromSigningKey(nacl.sign.keyPair().publicKey);
    const swapped = [otherAddress, aliceAddress].map(
      (address) => `${inviteBase}#/invite/v1.${Buffer.from(JSON.stringify({ ...wire, address })).toString('base64url')}`,
    );

    for (const link of swapped) {
      const dialog = await submitInvite(alice.page, link);
      await expect(dialog.getByRole('alert')).toHaveText('The invite link was altered: its address does not match its keys');
      await expect(dialog.getByRole('textbox', { name: 'Invite link' })).toBeVisible();
    }

    expect(await countStoredRows(alice.page)).toEqual({ contacts: 0, messages: 0 });
    await expect(conversationList(alice.page).getByRole('button', { name: 'Bob' })).toHaveCount(0);
  });
});

test.describe('relay that lets anyone take an address', () => {
  test.use({ relayOptions: { skipOwnershipCheck: true } });

  test('another key at a contact address gets nothing', async ({ relay, openBrowser }) => {
    const alice = await openBrowser('alice');
    const bob = await openBrowser('bob');
    const carol = await openBrowser('carol');
    const text = 'for Bob and nobody else';
    await createIdentity(alice.page, relay.url, 'Alice');
    await createIdentity(bob.page, relay.url, 'Bob');
    await waitUntilOnline(bob.page);
    await addContact(alice.page, await readOwnInvite(bob.page));
    const bobAddress = await readOwnAddress(bob.page);
    await bob.close();
    await expect(contactStatus(alice.page)).toHaveText('Offline', { timeout: deliveryTimeoutMs });

    await test.step('Carol registers at Bob\'s address with her own keys', async () => {
      await createIdentity(carol.page, relay.url, 'Carol');
      await squatAddress(carol.page, bobAddress);
      await expect(contactStatus(alice.page)).toHaveText('Online', { timeout: deliveryTimeoutMs });
    });

    await test.step('Alice writes and is warned, and the message stays with her', async () => {
      await sendMessage(alice.page, text);

      await expect(wrongKeyBanner(alice.page)).toBeVisible({ timeout: deliveryTimeoutMs });
      await expect(wrongKeyBanner(alice.page)).toContainText("Someone answered at Bob's address with a different key");
      await expectDeliveryStatus(alice.page, text, 'queued', 1_000);
    });

    await test.step('nothing reaches Carol while she keeps answering', async () => {
      // Long enough for the app to hand the message to the relay mailbox, sealed to Bob's key.
      await alice.page.waitForTimeout(mailboxHandOverMs);

      const stored = await readStoredMessage(alice.page, text);
      expect(stored.status).not.toBe('delivered');
      if (stored.status === 'sent') expect(stored.mailboxedAt, 'a sent message must sit in the mailbox').toBeDefined();
      await expect(wrongKeyBanner(alice.page)).toBeVisible();
      expect(await countStoredRows(carol.page)).toEqual({ contacts: 0, messages: 0 });
    });

    await test.step('the real Bob returns and gets the message once', async () => {
      await carol.close();
      const bobPage = await comeBack(bob, relay);

      await openRequest(bobPage, 'Alice');
      await expectConversation(bobPage, [text]);
      await expectDeliveryStatus(alice.page, text, 'delivered');
      await expect(wrongKeyBanner(alice.page)).toBeHidden({ timeout: deliveryTimeoutMs });
      await expectConversation(bobPage, [text]);
    });
  });
});

test('new identity under a verified name needs extra confirmation', async ({ relay, openBrowser }) => {
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');
  const newBob = await openBrowser('new-bob');
  const text = 'it is me, Bob, on a new phone';
  await createIdentity(alice.page, relay.url, 'Alice');
  await createIdentity(bob.page, relay.url, 'Bob');
  await addContact(alice.page, await readOwnInvite(bob.page));
  const bobAddress = await readOwnAddress(bob.page);
  // NOTE: marked through the app handle, standing in for comparing safety numbers in the verify dialog.
  await setVerified(alice.page, bobAddress, Date.now());
  await bob.close();

  await createIdentity(newBob.page, relay.url, 'Bob');
  await addContact(newBob.page, await readOwnInvite(alice.page));
  await sendMessage(newBob.page, text);

  await test.step('the request carries the strong warning', async () => {
    await openRequest(alice.page, 'Bob');
    await expectConversation(alice.page, [text]);

    const banner = nameClaimBanner(alice.page, 'Bob');
    await expect(banner).toBeVisible();
    await expect(banner).toContainText("you verified Bob's keys");
    await expect(banner).toContainText('compared safety numbers');
    await expect(messageBox(alice.page)).toBeHidden();
  });

  await test.step('accepting asks a second time', async () => {
    await alice.page.getByRole('button', { name: 'Accept', exact: true }).click();
    const confirmation = alice.page.getByRole('group', { name: /Accept this new identity as a separate contact/ });
    await expect(confirmation).toBeVisible();
    await expect(messageBox(alice.page)).toBeHidden();

    await confirmation.getByRole('button', { name: 'Cancel' }).click();
    await expect(confirmation).toBeHidden();
    await expect(alice.page.getByRole('button', { name: 'Accept', exact: true })).toBeVisible();
    await expect(messageBox(alice.page)).toBeHidden();

    await alice.page.getByRole('button', { name: 'Accept', exact: true }).click();
    await confirmation.getByRole('button', { name: 'Accept new identity' }).click();
    await expect(messageBox(alice.page)).toBeVisible();
  });

  await test.step('both Bobs stay apart and the warning stays', async () => {
    await expect(conversationList(alice.page).getByRole('button', { name: 'Bob' })).toHaveCount(2);
    await expect(nameClaimBanner(alice.page, 'Bob')).toBeVisible();

    await setVerified(alice.page, bobAddress, undefined);
    await expect(nameClaimBanner(alice.page, 'Bob')).toContainText('If Bob made a new identity, ask them in person');
    await expect(nameClaimBanner(alice.page, 'Bob')).not.toContainText('you verified');
  });
});
