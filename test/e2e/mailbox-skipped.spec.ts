/**
 * A seq the sender cancelled before sending, seen by a receiver that only the relay mailbox
 * reaches: the envelope of the next message names it, so no false gap marker shows.
 */

import type { Page } from '@playwright/test';
import { assertAppBuilt, expect, test } from './fixtures.ts';
import {
  acceptRequest,
  addContact,
  connectionStatus,
  createIdentity,
  deliveryTimeoutMs,
  expectConversation,
  messageItem,
  readOwnAddress,
  readOwnInvite,
  sendMessage,
  waitUntilOnline,
} from './app.ts';

test.beforeAll(() => assertAppBuilt());

/** What the spec reads through the app's debugging handle. */
interface SkipHandle {
  db: { received: { toArray(): Promise<{ ranges: number[][] }[]> } };
  messenger: { isConnected(address: string): boolean };
}

/** Counts the holes in the seq ranges the user's app recorded as received, over all senders and installs. */
async function countHoles(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const { db } = (globalThis as unknown as { meshtext: SkipHandle }).meshtext;

    return (await db.received.toArray()).reduce((holes, record) => holes + record.ranges.length - 1, 0);
  });
}

/**
 * Leaves the page's WebRTC only relayed candidates, of which there are none without a TURN
 * server, so no direct link opens: everything goes through the mailbox, and no `skip` payload
 * over a link can close a gap instead. Taking the namespace's links down, or the WebRTC policy
 * of udp-blocked.spec.ts, still let a direct link open in this scenario.
 */
async function blockDirectLinks(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const NativePeerConnection = globalThis.RTCPeerConnection;
    globalThis.RTCPeerConnection = class extends NativePeerConnection {
      constructor(configuration?: RTCConfiguration) {
        super({ ...configuration, iceTransportPolicy: 'relay' });
      }
    };
  });
}

/** Deletes an own message for this device only, through its message menu. */
async function deleteForMe(page: Page, text: string): Promise<void> {
  const item = messageItem(page, text);
  await item.hover();
  await item.getByRole('button', { name: 'Message actions' }).click();
  await page.getByRole('menu').getByRole('menuitem', { name: 'Delete for me' }).click();
  await page.getByRole('dialog', { name: 'Delete for me?' }).getByRole('button', { name: 'Delete' }).click();
  await expect(item).toHaveCount(0);
}

test('mailbox envelopes close a deleted draft gap', async ({ relay, openBrowser }) => {
  test.setTimeout(180_000);
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');
  await blockDirectLinks(alice.page);
  await blockDirectLinks(bob.page);
  await createIdentity(alice.page, relay.url, 'Alice');
  await createIdentity(bob.page, relay.url, 'Bob');
  await Promise.all([waitUntilOnline(alice.page), waitUntilOnline(bob.page)]);
  const bobAddress = await readOwnAddress(bob.page);
  await addContact(alice.page, await readOwnInvite(bob.page));
  await sendMessage(alice.page, 'first, by mailbox');
  await acceptRequest(bob.page, 'Alice');
  await expectConversation(bob.page, ['first, by mailbox']);

  // Alice writes while her browser is offline, so nothing leaves before she deletes the draft.
  await alice.context.setOffline(true);
  await expect(connectionStatus(alice.page)).toHaveText(/^(Connecting|Offline)$/, { timeout: 20_000 });
  await sendMessage(alice.page, 'before the draft');
  await sendMessage(alice.page, 'typo draft');
  await deleteForMe(alice.page, 'typo draft');
  await sendMessage(alice.page, 'after the draft');
  await alice.context.setOffline(false);

  const bobPage = bob.page;
  await expect(messageItem(bobPage, 'after the draft')).toBeVisible({ timeout: deliveryTimeoutMs });
  // Bob's record of Alice's seqs has no hole once the envelopes are in, so the chat has no gap to mark.
  await expect.poll(() => countHoles(bobPage), { timeout: 10_000 }).toBe(0);
  await expectConversation(bobPage, ['first, by mailbox', 'before the draft', 'after the draft']);
  await expect(bobPage.getByText(/not arrived yet/)).toHaveCount(0);
  // The premise: no direct link carried a `skip` payload.
  expect(await alice.page.evaluate((address) => (globalThis as unknown as { meshtext: SkipHandle }).meshtext.messenger.isConnected(address), bobAddress)).toBe(false);
});
