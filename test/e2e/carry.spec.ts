import type { Page } from '@playwright/test';
import { assertAppBuilt, test, expect } from './fixtures.ts';
import {
  addContact,
  createIdentity,
  deliveryTimeoutMs,
  expectConversation,
  expectDeliveryStatus,
  messageItem,
  openConversation,
  readOwnInvite,
  sendMessage,
  waitUntilOnline,
} from './app.ts';

test.beforeAll(() => assertAppBuilt());

// A mailbox that takes no envelope at all (each one is larger than 1 byte), so only a carrying
// peer or a direct link can deliver.
test.use({ relayOptions: { limits: { maxEnvelopeBytes: 1 } } });

/** What this spec reads through the app's debugging handle `globalThis.meshtext`. */
interface CarryHandle {
  db: {
    messages: { toArray(): Promise<{ text: string; carriedAt?: number; mailboxedAt?: number }[]> };
    carried: { count(): Promise<number> };
  };
  messenger: { peerCourier?: { stats: { carried: number; handedOn: number } } };
}

/** Reads when a carrying peer took the own message with this text, or undefined. */
async function readCarriedAt(page: Page, text: string): Promise<number | undefined> {
  return page.evaluate(async (wanted) => {
    const { db } = (globalThis as unknown as { meshtext: CarryHandle }).meshtext;

    return (await db.messages.toArray()).find((message) => message.text === wanted)?.carriedAt;
  }, text);
}

async function countCarried(page: Page): Promise<number> {
  return page.evaluate(() => (globalThis as unknown as { meshtext: CarryHandle }).meshtext.db.carried.count());
}

async function readHandedOn(page: Page): Promise<number> {
  return page.evaluate(() => (globalThis as unknown as { meshtext: CarryHandle }).meshtext.messenger.peerCourier?.stats.handedOn ?? 0);
}

/** Reads a counter from the relay's Prometheus metrics. */
async function relayCounter(relayUrl: string, name: string): Promise<number> {
  const text = await (await fetch(new URL('metrics', relayUrl))).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));

  return Number(line?.split(' ')[1] ?? Number.NaN);
}

test('Three browsers: A sends to offline B via C; A closes; B comes online, meets C, gets it', async ({ relay, openBrowser }) => {
  test.setTimeout(240_000);
  const text = 'carried to Bob by Carol';
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');
  const carol = await openBrowser('carol');
  await createIdentity(alice.page, relay.url, 'Alice');
  await createIdentity(bob.page, relay.url, 'Bob');
  await createIdentity(carol.page, relay.url, 'Carol');
  for (const browser of [alice, bob, carol]) await waitUntilOnline(browser.page);

  const invites = {
    alice: await readOwnInvite(alice.page),
    bob: await readOwnInvite(bob.page),
    carol: await readOwnInvite(carol.page),
  };
  await addContact(alice.page, invites.bob);
  await addContact(alice.page, invites.carol);
  await addContact(bob.page, invites.alice);
  await addContact(bob.page, invites.carol);
  await addContact(carol.page, invites.alice);
  await addContact(carol.page, invites.bob);

  await bob.close();
  await openConversation(alice.page, 'Bob');
  await sendMessage(alice.page, text);
  await expect.poll(() => readCarriedAt(alice.page, text), { timeout: deliveryTimeoutMs }).toBeGreaterThan(0);
  await expectDeliveryStatus(alice.page, text, 'sent');
  expect(await countCarried(carol.page)).toBe(1);
  await alice.close();

  const bobPage = await bob.reopen();
  await bobPage.goto(relay.url);
  await openConversation(bobPage, 'Alice');
  await expectConversation(bobPage, [text]);
  await expect(messageItem(bobPage, text)).toHaveCount(1);
  expect(await readHandedOn(carol.page)).toBeGreaterThanOrEqual(1);
  expect(await relayCounter(relay.url, 'meshtext_mailbox_stored_total')).toBe(0);

  // Alice returns and learns, from Carol or from Bob, that Bob has the message.
  const alicePage = await alice.reopen();
  await alicePage.goto(relay.url);
  await openConversation(alicePage, 'Bob');
  await expectDeliveryStatus(alicePage, text, 'delivered');
  await expect(messageItem(bobPage, text)).toHaveCount(1);
  await expect.poll(() => countCarried(carol.page), { timeout: deliveryTimeoutMs }).toBe(0);
  expect(await relayCounter(relay.url, 'meshtext_mailbox_stored_total')).toBe(0);
});

test('carrying setting stays off after a reload', async ({ relay, openBrowser }) => {
  const carol = await openBrowser('carol');
  await createIdentity(carol.page, relay.url, 'Carol');
  const setting = carol.page.getByRole('checkbox', { name: 'Carry messages for my contacts' });

  await carol.page.getByRole('button', { name: 'My profile' }).click();
  await expect(setting).toBeChecked();
  await setting.uncheck();
  await expect(setting).not.toBeChecked();
  // The box changes at once; the reload waits until the setting is stored, as a user's would.
  await expect.poll(() => readCarryForContacts(carol.page)).toBe(false);

  await carol.page.reload();
  await carol.page.getByRole('button', { name: 'My profile' }).click();
  await expect(setting).not.toBeChecked();
  expect(await readCarryForContacts(carol.page)).toBe(false);
});

/** Reads the stored carrying setting through the app's debugging handle. */
function readCarryForContacts(page: Page): Promise<boolean | undefined> {
  return page.evaluate(() =>
    (globalThis as unknown as { meshtext: { messenger: { peerCourier?: { loadCarryForContacts(): Promise<boolean> } } } }).meshtext.messenger.peerCourier?.loadCarryForContacts(),
  );
}
