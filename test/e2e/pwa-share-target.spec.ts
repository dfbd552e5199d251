import {
  addContact,
  createIdentity,
  expectConversation,
  messageBox,
  messageItems,
  readOwnInvite,
  sendMessage,
} from './app.ts';
import { assertAppBuilt, expect, test } from './fixtures.ts';

test.beforeAll(() => assertAppBuilt());

/** Builds the URL that the browser opens when another app shares to Meshtext (share_target in the manifest). */
function shareUrl(appUrl: string, fields: Record<string, string>): string {
  return `${appUrl}share?${new URLSearchParams(fields).toString()}`;
}

test('shared text goes to the chosen chat', async ({ relay, openBrowser }) => {
  const alice = (await openBrowser('alice')).page;
  const bob = (await openBrowser('bob')).page;
  await createIdentity(alice, relay.url, 'Alice');
  await createIdentity(bob, relay.url, 'Bob');
  await addContact(alice, await readOwnInvite(bob));
  await sendMessage(alice, 'first');

  await alice.goto(shareUrl(relay.url, { title: 'An article', text: 'Look at this', url: 'https://example.org/a' }));

  const dialog = alice.getByRole('dialog', { name: 'Send to…' });
  await expect(dialog.getByText('Look at this https://example.org/a')).toBeVisible();
  expect(new URL(alice.url()).pathname).toBe('/');
  await dialog.getByRole('button', { name: 'Bob' }).click();

  await expect(dialog).toBeHidden();
  await expect(messageBox(alice)).toHaveValue('Look at this https://example.org/a');
  await expect(messageItems(alice)).toHaveCount(1);

  await alice.getByRole('button', { name: 'Send' }).click();
  await expectConversation(alice, ['first', 'Look at this https://example.org/a']);
});

test('shared invite link opens Add contact', async ({ relay, openBrowser }) => {
  const alice = (await openBrowser('alice')).page;
  const bob = (await openBrowser('bob')).page;
  await createIdentity(alice, relay.url, 'Alice');
  await createIdentity(bob, relay.url, 'Bob');
  const invite = await readOwnInvite(bob);

  await alice.goto(shareUrl(relay.url, { text: `Chat with me on Meshtext: ${invite}` }));

  const dialog = alice.getByRole('dialog', { name: 'Add contact' });
  await expect(dialog.getByRole('textbox', { name: 'Invite link' })).toHaveValue(invite);
});

test('share without contacts explains what to do', async ({ relay, openBrowser }) => {
  const alice = (await openBrowser('alice')).page;
  await createIdentity(alice, relay.url, 'Alice');

  await alice.goto(shareUrl(relay.url, { url: 'https://example.org/b' }));

  const dialog = alice.getByRole('dialog', { name: 'Send to…' });
  await expect(dialog.getByText('Add a contact first.')).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
});
