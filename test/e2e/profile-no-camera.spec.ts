import { createIdentity } from './app.ts';
import { assertAppBuilt, expect, test } from './fixtures.ts';

// The browsers here have no camera, fake or real, as on a desktop without a webcam.

test.beforeAll(() => assertAppBuilt());

test('scan dialog says to paste the link', async ({ relay, openBrowser }) => {
  const alice = await openBrowser('alice');
  await createIdentity(alice.page, relay.url, 'Alice');
  await alice.page.getByRole('button', { name: 'Add contact' }).click();
  await alice.page.getByRole('button', { name: 'Scan QR code' }).click();

  const scanDialog = alice.page.getByRole('dialog', { name: 'Scan an invite' });
  const alert = scanDialog.getByRole('alert');
  await expect(alert).toContainText('The camera is not available');
  await expect(alert).toContainText('Paste the invite link into the box instead.');

  await scanDialog.getByRole('button', { name: 'Close' }).click();
  await expect(scanDialog).toBeHidden();
  await expect(alice.page.getByRole('textbox', { name: 'Invite link' })).toBeVisible();
});
