/**
 * A walk through every screen of the app, for the accessibility and screenshot specs. At each
 * screen the walk calls `visit` with the screen's name, and waits for it before going on.
 */

import { expect, type Page } from '@playwright/test';
import { addContact, createIdentity, readOwnInvite, sendMessage } from './app.ts';
import { openProfile } from './pwa.ts';

export type ScreenVisitor = (screenName: string) => Promise<void>;

/**
 * Walks `page` through onboarding, adding `contactPage`'s user, the chat, the verify dialog,
 * the conversation list, the invite, the profile and the backup dialog. `contactPage` must
 * already have an identity.
 */
export async function walkScreens(page: Page, appUrl: string, contactPage: Page, visit: ScreenVisitor): Promise<void> {
  const invite = await readOwnInvite(contactPage);

  await page.goto(appUrl);
  await expect(page.getByRole('heading', { name: 'Welcome to Meshtext' })).toBeVisible();
  await visit('onboarding');

  await createIdentity(page, appUrl, 'Alice');
  await visit('empty-list');

  await page.getByRole('button', { name: 'Add contact' }).click();
  await expect(page.getByRole('dialog', { name: 'Add contact' })).toBeVisible();
  await visit('add-contact');

  await addContact(page, invite);
  await sendMessage(page, 'Hello, this is a message to look at.');
  await visit('chat');

  await page.getByRole('button', { name: 'Verify' }).click();
  const verifyDialog = page.getByRole('dialog', { name: /^Verify / });
  await expect(verifyDialog.getByText('Safety number')).toBeVisible();
  await visit('verify');
  await closeTopDialog(page, verifyDialog);

  const backButton = page.getByRole('button', { name: 'Back to conversations' });
  if (await backButton.isVisible()) await backButton.click();
  await expect(page.getByRole('navigation', { name: 'Conversations' })).toBeVisible();
  await visit('conversation-list');

  await page.getByRole('button', { name: 'Share my invite' }).click();
  const shareDialog = page.getByRole('dialog', { name: 'Your invite' });
  await expect(shareDialog.getByRole('textbox', { name: 'Your invite link' })).toHaveValue(/#\/invite\//);
  await visit('share-invite');
  await closeTopDialog(page, shareDialog);

  const profile = await openProfile(page);
  await expect(profile.getByTestId('storage-usage')).toBeVisible();
  await visit('profile');

  await profile.getByRole('button', { name: 'Back up' }).click();
  const backupDialog = page.getByRole('dialog', { name: 'Back up' });
  await expect(backupDialog).toBeVisible();
  await visit('backup');
  await closeTopDialog(page, backupDialog);
  await closeTopDialog(page, profile);
}

/** Closes the topmost modal dialog with Escape, as a keyboard user would. */
async function closeTopDialog(page: Page, dialog: ReturnType<Page['getByRole']>): Promise<void> {
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
}
