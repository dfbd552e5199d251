/**
 * Key changes as users meet them: a contact changes keys through the profile, the other side
 * is warned, sending pauses and waits for a decision and a new verification. Also checks that the
 * sessions set up again after reloads never reuse a (key, nonce) pair, in either direction.
 */

import type { Locator, Page } from '@playwright/test';
import {
  acceptRequest,
  addContact,
  chatBothWays,
  conversationList,
  createIdentity,
  deliveryTimeoutMs,
  expectConversation,
  expectDeliveryStatus,
  messageBox,
  messageItem,
  openConversation,
  openRequest,
  readOwnAddress,
  readOwnInvite,
  sendMessage,
  waitUntilOnline,
} from './app.ts';
import { assertAppBuilt, expect, test } from './fixtures.ts';

test.beforeAll(() => assertAppBuilt());

/** Time the app waits for a direct link before it hands waiting messages to the mailbox, plus margin. */
const mailboxHandOverMs = 12_000;

async function openVerify(page: Page, contactName: string): Promise<Locator> {
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: `Verify ${contactName}` });
  await expect(dialog).toBeVisible();

  return dialog;
}

/** Reads the 60 digits of the safety number in the open chat's Verify dialog, then closes it. */
async function readSafetyDigits(page: Page, contactName: string): Promise<string> {
  const dialog = await openVerify(page, contactName);
  const text = (await dialog.getByLabel('Safety number', { exact: true }).textContent()) ?? '';
  await dialog.getByRole('button', { name: 'Close' }).click();

  return text.replace(/\s+/g, '');
}

/** Verifies the open chat's contact by typing the digits the other side's Verify dialog shows. */
async function verifyByTyping(page: Page, contactName: string, digits: string): Promise<void> {
  const dialog = await openVerify(page, contactName);
  await dialog.getByRole('textbox', { name: 'Or type their numbers' }).fill(digits);
  await dialog.getByRole('button', { name: 'Compare' }).click();
  await expect(dialog.getByRole('status').filter({ hasText: `The numbers match. ${contactName} is verified.` })).toBeVisible();
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
}

function verifiedBadge(page: Page, contactName: string): Locator {
  return page.getByRole('region', { name: contactName }).getByText('Verified', { exact: true });
}

function keyChangeBanner(page: Page): Locator {
  return page.getByRole('alert').filter({ hasText: 'changed keys' });
}

function verifyAgainBanner(page: Page): Locator {
  return page.getByRole('alert').filter({ hasText: 'compare safety numbers again with Verify' });
}

/** Changes the user's keys through the profile and waits until the reloaded app is online. */
async function changeKeys(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'My profile' }).click();
  const dialog = page.getByRole('dialog', { name: 'My profile' });
  await dialog.getByRole('button', { name: 'Change my keys' }).click();

  const confirmation = dialog.getByRole('group', { name: /Change your keys now\?/ });
  await expect(confirmation).toBeVisible();
  await confirmation.getByRole('button', { name: 'Change keys' }).click();

  await expect(dialog).toBeHidden({ timeout: deliveryTimeoutMs });
  await waitUntilOnline(page);
}

test('a verified contact whose key changes blocks sending until verified again', async ({ relay, openBrowser }) => {
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');
  await createIdentity(alice.page, relay.url, 'Alice');
  await createIdentity(bob.page, relay.url, 'Bob');
  await waitUntilOnline(bob.page);
  await addContact(alice.page, await readOwnInvite(bob.page));
  await sendMessage(alice.page, 'hello from Alice');
  await acceptRequest(bob.page, 'Alice');
  await sendMessage(bob.page, 'reply from Bob');
  await expectConversation(alice.page, ['hello from Alice', 'reply from Bob']);
  const oldAddress = await readOwnAddress(bob.page);

  await test.step('Alice verifies Bob', async () => {
    await verifyByTyping(alice.page, 'Bob', await readSafetyDigits(bob.page, 'Alice'));
    await expect(verifiedBadge(alice.page, 'Bob')).toBeVisible();
  });

  await test.step('Bob changes his keys', async () => {
    await changeKeys(bob.page);
    expect(await readOwnAddress(bob.page)).not.toBe(oldAddress);
    await openConversation(bob.page, 'Alice');
    await expect(messageItem(bob.page, 'You changed your keys')).toBeVisible();
  });

  await test.step('Alice is told, loses the verified mark and her message waits', async () => {
    await expect(keyChangeBanner(alice.page)).toContainText('you had verified the old ones', { timeout: deliveryTimeoutMs });
    await expect(verifiedBadge(alice.page, 'Bob')).toBeHidden();
    await expect(conversationList(alice.page).getByRole('button', { name: /Bob/ })).toHaveCount(1);

    await sendMessage(alice.page, 'written while paused');
    await alice.page.waitForTimeout(mailboxHandOverMs);
    await expectDeliveryStatus(alice.page, 'written while paused', 'queued', 1_000);
  });

  await test.step('accepting moves the chat but sending waits for verification', async () => {
    await alice.page.getByRole('button', { name: 'Accept new keys' }).click();

    await expect(verifyAgainBanner(alice.page)).toBeVisible();
    await expectConversation(alice.page, ['hello from Alice', 'reply from Bob', 'Bob changed keys', 'written while paused']);
    await alice.page.waitForTimeout(mailboxHandOverMs);
    await expectDeliveryStatus(alice.page, 'written while paused', 'queued', 1_000);
    await expect(messageItem(bob.page, 'written while paused')).toHaveCount(0);
  });

  await test.step('verifying the new keys sends the waiting message to them', async () => {
    await verifyByTyping(alice.page, 'Bob', await readSafetyDigits(bob.page, 'Alice'));

    await expect(verifyAgainBanner(alice.page)).toBeHidden();
    await expect(verifiedBadge(alice.page, 'Bob')).toBeVisible();
    await expectDeliveryStatus(alice.page, 'written while paused', 'delivered');
    await expect(messageItem(bob.page, 'written while paused')).toBeVisible();

    await sendMessage(bob.page, 'reply from the new keys');
    await expect(messageItem(alice.page, 'reply from the new keys')).toBeVisible({ timeout: deliveryTimeoutMs });
  });
});

test('sessions re-established after reloads never repeat a nonce (checked across both directions)', async ({
  relay,
  openBrowser,
}) => {
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');
  const reloadRounds = 3;
  const messagesPerRound = 3;
  const seen = new Map<string, string>();
  const keyIds = new Set<string>();
  const sealedBy = { alice: 0, bob: 0 };

  /** Takes the (key id, nonce) pairs a page sealed since the last call and checks each is new. */
  async function collect(page: Page, sealer: 'alice' | 'bob'): Promise<void> {
    const pairs = await page.evaluate(() => {
      const hooks = (globalThis as { meshtextTest?: { takeSealedNonces(): string[] } }).meshtextTest;
      if (!hooks) throw new Error('this build has no test hooks; build it with MESHTEXT_TEST_HOOKS=1');

      return hooks.takeSealedNonces();
    });

    for (const pair of pairs) {
      expect(seen.get(pair), `(key id, nonce) ${pair} sealed again by ${sealer}`).toBeUndefined();
      seen.set(pair, sealer);
      keyIds.add(pair.split(':')[0] ?? '');
    }
    sealedBy[sealer] += pairs.length;
  }

  await chatBothWays(relay.url, alice.page, bob.page);

  for (let round = 1; round <= reloadRounds; round++) {
    await test.step(`round ${round}: both write, then ${round % 2 === 1 ? 'Bob' : 'both'} reload`, async () => {
      await openConversation(alice.page, 'Bob');
      await openConversation(bob.page, 'Alice');
      for (let index = 1; index <= messagesPerRound; index++) {
        await sendMessage(alice.page, `to Bob, round ${round} #${index}`);
        await sendMessage(bob.page, `to Alice, round ${round} #${index}`);
      }
      await expectDeliveryStatus(alice.page, `to Bob, round ${round} #${messagesPerRound}`, 'delivered');
      await expectDeliveryStatus(bob.page, `to Alice, round ${round} #${messagesPerRound}`, 'delivered');

      await collect(alice.page, 'alice');
      await collect(bob.page, 'bob');
      const reloading = round % 2 === 1 ? [bob.page] : [alice.page, bob.page];
      for (const page of reloading) {
        await page.reload();
        await waitUntilOnline(page);
      }
    });
  }

  await openConversation(alice.page, 'Bob');
  await openConversation(bob.page, 'Alice');
  await sendMessage(alice.page, 'last word');
  await expectDeliveryStatus(alice.page, 'last word', 'delivered');
  await collect(alice.page, 'alice');
  await collect(bob.page, 'bob');

  test.info().annotations.push({
    type: 'sealed frames',
    description: `Alice ${sealedBy.alice}, Bob ${sealedBy.bob}, ${keyIds.size} send keys, ${seen.size} distinct (key, nonce) pairs`,
  });
  expect(sealedBy.alice, 'frames Alice sealed').toBeGreaterThan(reloadRounds * messagesPerRound);
  expect(sealedBy.bob, 'frames Bob sealed').toBeGreaterThan(reloadRounds * messagesPerRound);
  // One send key per direction and session: the first session and at least one per round.
  expect(keyIds.size, 'distinct send keys').toBeGreaterThanOrEqual(2 * (reloadRounds + 1));
});

test('new identity under a contact name can be linked to it', async ({ relay, openBrowser }) => {
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');
  const newBob = await openBrowser('new-bob');
  await createIdentity(alice.page, relay.url, 'Alice');
  await createIdentity(bob.page, relay.url, 'Bob');
  await addContact(alice.page, await readOwnInvite(bob.page));
  await sendMessage(alice.page, 'old history with Bob');
  await bob.close();

  await createIdentity(newBob.page, relay.url, 'Bob');
  await addContact(newBob.page, await readOwnInvite(alice.page));
  await sendMessage(newBob.page, 'new phone, no rotation');

  await openRequest(alice.page, 'Bob');
  const pause = alice.page.getByRole('group', { name: /Sending is paused\. If this is Bob with new keys/ });
  await expect(pause).toBeVisible();

  await test.step('linking asks first and can be cancelled', async () => {
    await pause.getByRole('button', { name: 'Link to Bob' }).click();
    await expect(pause).toContainText("Bob's old keys are blocked");
    await pause.getByRole('button', { name: 'Cancel' }).click();
    await expect(pause.getByRole('button', { name: 'Link to Bob' })).toBeVisible();
  });

  await test.step('linking keeps one conversation with the whole history', async () => {
    await pause.getByRole('button', { name: 'Link to Bob' }).click();
    await pause.getByRole('button', { name: 'Link', exact: true }).click();

    await expect(pause).toBeHidden();
    await expect(messageBox(alice.page)).toBeVisible();
    await expectConversation(alice.page, ['old history with Bob', 'new phone, no rotation']);
    await expect(conversationList(alice.page).getByRole('button', { name: /Bob/ })).toHaveCount(1);
  });

  await test.step('the linked identity gets messages again', async () => {
    await sendMessage(alice.page, 'welcome back');
    await expectDeliveryStatus(alice.page, 'welcome back', 'delivered');
    await expect(messageItem(newBob.page, 'welcome back')).toBeVisible();
  });
});
