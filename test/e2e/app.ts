/**
 * Steps a user takes in the Meshtext UI, written against its accessible roles and labels so
 * that the specs read as the user's actions. Every step waits for the UI to confirm it.
 */

import { expect, type Locator, type Page } from '@playwright/test';

/** Time allowed for a message to cross between two browsers, including a reconnect. */
export const deliveryTimeoutMs = 45_000;

/** Opens the app and creates an identity with the given display name. */
export async function createIdentity(page: Page, appUrl: string, displayName: string): Promise<void> {
  await page.goto(appUrl);
  await expect(page.getByRole('heading', { name: 'Welcome to Meshtext' })).toBeVisible();

  await page.getByRole('textbox', { name: 'Display name' }).fill(displayName);
  await page.getByRole('button', { name: 'Create my identity' }).click();

  await expect(connectionStatus(page)).toBeVisible();
}

/** Locates the connection indicator, which shows "Online", "Connecting" or "Offline". */
export function connectionStatus(page: Page): Locator {
  return page.getByRole('status', { name: 'Connection' });
}

/** Locates the open chat's indicator of whether the contact is reachable ("Online" or "Offline"). */
export function contactStatus(page: Page): Locator {
  return page.getByLabel('Contact status');
}

/** Waits until the app reports that it is connected to the relay. */
export async function waitUntilOnline(page: Page): Promise<void> {
  await expect(connectionStatus(page)).toHaveText('Online', { timeout: deliveryTimeoutMs });
}

/** Reads the user's own invite link from the share dialog, then closes the dialog. */
export async function readOwnInvite(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Share my invite' }).click();

  const dialog = page.getByRole('dialog');
  const linkBox = dialog.getByRole('textbox', { name: 'Your invite link' });
  await expect(linkBox).toHaveValue(/#\/invite\/v1\./);
  const link = await linkBox.inputValue();

  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();

  return link;
}

/** Opens the "Add contact" dialog unless it is open, submits an invite link and returns the dialog. */
export async function submitInvite(page: Page, inviteLink: string): Promise<Locator> {
  const dialog = page.getByRole('dialog');
  if (!(await dialog.isVisible())) await page.getByRole('button', { name: 'Add contact' }).click();

  await dialog.getByRole('textbox', { name: 'Invite link' }).fill(inviteLink);
  await dialog.getByRole('button', { name: 'Save contact' }).click();

  return dialog;
}

/** Adds a contact from a valid invite link and waits for the chat with them to open. */
export async function addContact(page: Page, inviteLink: string): Promise<void> {
  const dialog = await submitInvite(page, inviteLink);

  await expect(dialog).toBeHidden();
  await expect(messageBox(page)).toBeVisible();
}

/** Locates the conversation list. */
export function conversationList(page: Page): Locator {
  return page.getByRole('navigation', { name: 'Conversations' });
}

/** Opens the conversation named after a contact (or a message request from them). */
export async function openConversation(page: Page, contactName: string): Promise<void> {
  await conversationList(page).getByRole('button', { name: contactName }).click();
  await expect(messageLog(page)).toBeVisible();
}

/** Opens a message request from `senderName` and accepts it. */
export async function acceptRequest(page: Page, senderName: string): Promise<void> {
  await conversationList(page).getByRole('button', { name: senderName }).click({ timeout: deliveryTimeoutMs });
  await expect(page.getByText('wants to message you')).toBeVisible();

  await page.getByRole('button', { name: 'Accept' }).click();
  await expect(page.getByRole('button', { name: 'Accept' })).toBeHidden();
  await expect(messageBox(page)).toBeVisible();
}

/** Locates the message composer of the open conversation. */
export function messageBox(page: Page): Locator {
  return page.getByRole('textbox', { name: 'Message' });
}

/** Writes and sends a message in the open conversation. */
export async function sendMessage(page: Page, text: string): Promise<void> {
  await messageBox(page).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(messageItem(page, text)).toBeVisible();
}

/** Locates the message log of the open conversation. */
export function messageLog(page: Page): Locator {
  return page.getByRole('log', { name: 'Messages' });
}

/** Locates all messages shown in the open conversation, oldest first. */
export function messageItems(page: Page): Locator {
  return messageLog(page).getByRole('listitem');
}

/** Locates the messages in the open conversation whose text contains `text`. */
export function messageItem(page: Page, text: string): Locator {
  return messageItems(page).filter({ hasText: text });
}

/** Locates the delivery state marker ('queued', 'sent', 'delivered' or 'read') of an own message. */
export function deliveryStatus(page: Page, text: string): Locator {
  return messageItem(page, text).locator('[data-status]');
}

/**
 * Checks that the open conversation shows exactly `texts`, each once, in this order. Each
 * message text must be unique and no text may contain another.
 */
export async function expectConversation(page: Page, texts: string[], timeoutMs = deliveryTimeoutMs): Promise<void> {
  await expect(messageItems(page)).toHaveCount(texts.length, { timeout: timeoutMs });
  await expect(messageItems(page)).toContainText(texts);
}

/**
 * Waits until the own message with this text shows the given delivery state. 'delivered' also
 * accepts 'read', which implies it, because the receiver's open chat sends a read receipt.
 */
export async function expectDeliveryStatus(
  page: Page,
  text: string,
  status: 'queued' | 'sent' | 'delivered' | 'read',
  timeoutMs = deliveryTimeoutMs,
): Promise<void> {
  const accepted = status === 'delivered' ? ['delivered', 'read'] : [status];
  const capitalize = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1);

  await expect(deliveryStatus(page, text)).toHaveAttribute('data-status', new RegExp(`^(${accepted.join('|')})$`), { timeout: timeoutMs });
  await expect(messageItem(page, text)).toContainText(new RegExp(accepted.map(capitalize).join('|')));
}

/**
 * Alice adds Bob and writes first, Bob accepts and replies; both messages must end up
 * delivered, whatever path they take.
 */
export async function chatBothWays(appUrl: string, alice: Page, bob: Page): Promise<void> {
  await createIdentity(alice, appUrl, 'Alice');
  await createIdentity(bob, appUrl, 'Bob');
  await waitUntilOnline(alice);
  await waitUntilOnline(bob);

  await addContact(alice, await readOwnInvite(bob));
  await sendMessage(alice, 'first message, any path');
  await acceptRequest(bob, 'Alice');
  await expectConversation(bob, ['first message, any path']);

  await sendMessage(bob, 'reply, any path');
  await expectConversation(alice, ['first message, any path', 'reply, any path']);
  await expectDeliveryStatus(alice, 'first message, any path', 'delivered');
  await expectDeliveryStatus(bob, 'reply, any path', 'delivered');
}

/** Locates the chat banner saying that someone answered at the contact's address with another key. */
export function wrongKeyBanner(page: Page): Locator {
  return page.getByRole('alert').filter({ hasText: 'with a different key' });
}

/** Locates the chat banner saying that this sender is not the contact named `name`. */
export function nameClaimBanner(page: Page, name: string): Locator {
  return page.getByRole('alert').filter({ hasText: `This is not the ${name} in your contacts` });
}

/** Opens the message request from `senderName`, even when a contact has the same name. */
export async function openRequest(page: Page, senderName: string): Promise<void> {
  const request = conversationList(page).getByRole('button', { name: senderName }).filter({ hasText: 'Request' });

  await request.click({ timeout: deliveryTimeoutMs });
  await expect(messageLog(page)).toBeVisible();
}

/**
 * What the specs reach through the app's debugging handle `globalThis.meshtext`, for facts the
 * UI does not show (stored rows) and for setups no user could make (a rewritten identity).
 */
export interface AppHandle {
  ownAddress: string | undefined;
  db: {
    identity: { update(key: string, changes: { address: string }): Promise<number> };
    contacts: { count(): Promise<number> };
    messages: {
      count(): Promise<number>;
      toArray(): Promise<{ text: string; status: string; mailboxedAt?: number }[]>;
    };
  };
  storage: { updateContact(address: string, changes: { verifiedAt: number | undefined }): Promise<void> };
}

/** Reads the user's own relay address from the running app. */
export async function readOwnAddress(page: Page): Promise<string> {
  const address = await page.evaluate(() => (globalThis as unknown as { meshtext: AppHandle }).meshtext.ownAddress);
  if (!address) throw new Error('the app has no identity yet');

  return address;
}

/** Counts the contacts and messages the app stored, requests and incoming messages included. */
export async function countStoredRows(page: Page): Promise<{ contacts: number; messages: number }> {
  return page.evaluate(async () => {
    const { db } = (globalThis as unknown as { meshtext: AppHandle }).meshtext;

    return { contacts: await db.contacts.count(), messages: await db.messages.count() };
  });
}

/** Reads the stored state of the own message with this text. */
export async function readStoredMessage(page: Page, text: string): Promise<{ status: string; mailboxedAt?: number }> {
  const messages = await page.evaluate(() => (globalThis as unknown as { meshtext: AppHandle }).meshtext.db.messages.toArray());
  const message = messages.find((candidate) => candidate.text === text);
  if (!message) throw new Error(`no stored message with text ${JSON.stringify(text)}`);

  return message;
}
