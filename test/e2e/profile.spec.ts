import { rm } from 'node:fs/promises';
import type { Locator, Page } from '@playwright/test';
import { addContact, conversationList, createIdentity, messageBox, openConversation, readOwnInvite } from './app.ts';
import { captureSvgImage, fakeCameraLaunchOptions, fakeCameraVideoPath, writeStillVideo } from './fake-camera.ts';
import { assertAppBuilt, expect, test } from './fixtures.ts';

// Every browser in this file has a fake camera that plays the video the test last wrote.
test.use({ launchOptions: fakeCameraLaunchOptions() });

test.beforeAll(() => assertAppBuilt());
test.afterAll(async () => {
  await rm(fakeCameraVideoPath, { force: true });
});

async function openProfile(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: 'My profile' }).click();
  const dialog = page.getByRole('dialog', { name: 'My profile' });
  await expect(dialog).toBeVisible();

  return dialog;
}

async function openVerify(page: Page, contactName: string): Promise<Locator> {
  await page.getByRole('button', { name: 'Verify', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: `Verify ${contactName}` });
  await expect(dialog).toBeVisible();

  return dialog;
}

/** Reads the 60 digits of the safety number shown in a Verify dialog, without spaces. */
async function safetyDigits(dialog: Locator): Promise<string> {
  const text = (await dialog.getByLabel('Safety number', { exact: true }).textContent()) ?? '';

  return text.replace(/\s+/g, '');
}

/** Locates the "Verified" badge in the open chat with `contactName`. */
function chatBadge(page: Page, contactName: string): Locator {
  return page.getByRole('region', { name: contactName }).getByText('Verified', { exact: true });
}

test('profile shows address, fingerprint and invite', async ({ relay, openBrowser }) => {
  const alice = await openBrowser('alice');
  await createIdentity(alice.page, relay.url, 'Alice');
  await alice.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(relay.url).origin });

  const dialog = await openProfile(alice.page);
  const ownAddress = await alice.page.evaluate(
    () => (globalThis as { meshtext?: { ownAddress?: string } }).meshtext?.ownAddress,
  );

  await expect(dialog.getByText('Alice', { exact: true })).toBeVisible();
  await expect(dialog.getByLabel('Your address')).toHaveText(ownAddress ?? 'missing address');
  await expect(dialog.getByLabel('Your key fingerprint')).toHaveText(/^\s*(\d{5}\s+){5}\d{5}\s*$/);
  await expect(dialog.getByRole('img', { name: 'QR code of your invite link' })).toBeVisible();
  await expect(dialog.getByText('adds you as a contact')).toBeVisible();

  await dialog.getByRole('button', { name: 'Copy address' }).click();
  await expect(dialog.getByRole('status').filter({ hasText: 'Address copied.' })).toBeVisible();
  expect(await alice.page.evaluate(() => navigator.clipboard.readText())).toBe(ownAddress);

  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
});

test('scanning an invite QR adds the contact', async ({ relay, openBrowser }) => {
  const bob = await openBrowser('bob');
  await createIdentity(bob.page, relay.url, 'Bob');
  const bobProfile = await openProfile(bob.page);
  const bobQr = bobProfile.getByRole('img', { name: 'QR code of your invite link' });
  await expect(bobQr).toBeVisible();
  await writeStillVideo(fakeCameraVideoPath, await captureSvgImage(bobQr));

  const alice = await openBrowser('alice');
  await createIdentity(alice.page, relay.url, 'Alice');
  await alice.page.getByRole('button', { name: 'Add contact' }).click();
  await alice.page.getByRole('button', { name: 'Scan QR code' }).click();

  const scanDialog = alice.page.getByRole('dialog', { name: 'Scan an invite' });
  await expect(scanDialog).toBeVisible();
  await expect(scanDialog.getByLabel('Camera preview')).toBeVisible();

  // The scan closes both dialogs and opens the chat with the new contact.
  await expect(scanDialog).toBeHidden({ timeout: 20_000 });
  await expect(alice.page.getByRole('dialog')).toHaveCount(0);
  await expect(conversationList(alice.page).getByRole('button', { name: 'Bob' })).toBeVisible();
  await expect(messageBox(alice.page)).toBeVisible();
});

test('verify by typing, mismatch and unmark', async ({ relay, openBrowser }) => {
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');
  await createIdentity(alice.page, relay.url, 'Alice');
  await createIdentity(bob.page, relay.url, 'Bob');
  // Both save each other's invite, so both have a confirmed contact without any message.
  await addContact(alice.page, await readOwnInvite(bob.page));
  await addContact(bob.page, await readOwnInvite(alice.page));

  const bobDialog = await openVerify(bob.page, 'Alice');
  const bobDigits = await safetyDigits(bobDialog);
  const aliceDialog = await openVerify(alice.page, 'Bob');

  expect(bobDigits).toMatch(/^\d{60}$/);
  expect(await safetyDigits(aliceDialog)).toBe(bobDigits);
  await expect(aliceDialog.getByText('You have not verified Bob yet.')).toBeVisible();

  await test.step('too few digits', async () => {
    await aliceDialog.getByRole('textbox', { name: 'Or type their numbers' }).fill(bobDigits.slice(0, 30));
    await aliceDialog.getByRole('button', { name: 'Compare' }).click();
    await expect(aliceDialog.getByRole('alert')).toHaveText('Enter all 60 digits of their safety number.');
  });

  await test.step('one digit differs', async () => {
    const wrong = bobDigits.slice(0, -1) + (bobDigits.endsWith('7') ? '3' : '7');
    await aliceDialog.getByRole('textbox', { name: 'Or type their numbers' }).fill(wrong);
    await aliceDialog.getByRole('button', { name: 'Compare' }).click();

    await expect(aliceDialog.getByRole('alert')).toContainText('The numbers do not match:');
    await expect(aliceDialog.getByText('You have not verified Bob yet.')).toBeVisible();
  });

  await test.step('the same digits, grouped', async () => {
    const grouped = bobDigits.match(/\d{5}/g)?.join(' ') ?? '';
    await aliceDialog.getByRole('textbox', { name: 'Or type their numbers' }).fill(grouped);
    await aliceDialog.getByRole('button', { name: 'Compare' }).click();

    await expect(aliceDialog.getByRole('status').filter({ hasText: 'The numbers match. Bob is verified.' })).toBeVisible();
    await expect(aliceDialog.getByText(/You verified Bob on/)).toBeVisible();
    await expect(aliceDialog.getByRole('alert')).toHaveCount(0);
  });

  await aliceDialog.getByRole('button', { name: 'Close' }).click();
  await expect(chatBadge(alice.page, 'Bob')).toBeVisible();
  await expect(conversationList(alice.page).getByRole('button', { name: /Bob.*Verified/ })).toBeVisible();

  await test.step('verified mark survives a reload', async () => {
    await alice.page.reload();
    await openConversation(alice.page, 'Bob');
    await expect(chatBadge(alice.page, 'Bob')).toBeVisible();
  });

  await test.step('remove verification', async () => {
    const dialog = await openVerify(alice.page, 'Bob');
    await dialog.getByRole('button', { name: 'Remove verification' }).click();
    await expect(dialog.getByText('You have not verified Bob yet.')).toBeVisible();
    await dialog.getByRole('button', { name: 'Close' }).click();

    await expect(chatBadge(alice.page, 'Bob')).toBeHidden();
    await expect(conversationList(alice.page).getByRole('button', { name: /Verified/ })).toHaveCount(0);
  });
});

test('scanning the contact code verifies', async ({ relay, openBrowser }) => {
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');
  await createIdentity(alice.page, relay.url, 'Alice');
  await createIdentity(bob.page, relay.url, 'Bob');
  await addContact(alice.page, await readOwnInvite(bob.page));
  await addContact(bob.page, await readOwnInvite(alice.page));

  const bobDialog = await openVerify(bob.page, 'Alice');
  const bobQr = bobDialog.getByRole('img', { name: 'QR code of your safety number with Alice' });
  await expect(bobQr).toBeVisible();
  await writeStillVideo(fakeCameraVideoPath, await captureSvgImage(bobQr));

  const aliceDialog = await openVerify(alice.page, 'Bob');
  await aliceDialog.getByRole('button', { name: 'Scan their code' }).click();
  const scanDialog = alice.page.getByRole('dialog', { name: "Scan Bob's code" });
  await expect(scanDialog).toBeVisible();

  await expect(scanDialog).toBeHidden({ timeout: 20_000 });
  await expect(aliceDialog.getByRole('status').filter({ hasText: 'The numbers match. Bob is verified.' })).toBeVisible();
  await expect(aliceDialog.getByText(/You verified Bob on/)).toBeVisible();
});

test('scanning own code reports a mismatch', async ({ relay, openBrowser }) => {
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');
  await createIdentity(alice.page, relay.url, 'Alice');
  await createIdentity(bob.page, relay.url, 'Bob');
  await addContact(alice.page, await readOwnInvite(bob.page));

  // Alice points the camera at her own Verify screen, which proves nothing about Bob.
  const aliceDialog = await openVerify(alice.page, 'Bob');
  const ownQr = aliceDialog.getByRole('img', { name: 'QR code of your safety number with Bob' });
  await expect(ownQr).toBeVisible();
  await writeStillVideo(fakeCameraVideoPath, await captureSvgImage(ownQr));

  await aliceDialog.getByRole('button', { name: 'Scan their code' }).click();
  await expect(alice.page.getByRole('dialog', { name: "Scan Bob's code" })).toBeHidden({ timeout: 20_000 });

  await expect(aliceDialog.getByRole('alert')).toContainText('The numbers do not match: this code belongs to another conversation.');
  await expect(aliceDialog.getByText('You have not verified Bob yet.')).toBeVisible();
});
