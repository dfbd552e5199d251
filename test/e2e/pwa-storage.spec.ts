import { createIdentity, waitUntilOnline } from './app.ts';
import { assertAppBuilt, expect, test } from './fixtures.ts';
import { openProfile } from './pwa.ts';

test.beforeAll(() => assertAppBuilt());

test('profile shows storage usage', async ({ relay, openBrowser }) => {
  const page = (await openBrowser('alice')).page;
  await createIdentity(page, relay.url, 'Alice');

  const profile = await openProfile(page);

  await expect(profile.getByTestId('storage-usage')).toHaveText(/^\d[\d.]* (bytes|kB|MB) used of \d[\d.]* (MB|GB|TB) available to Meshtext\.$/);
  await expect(profile.getByText(/The browser (keeps|may delete) Meshtext's data/)).toBeVisible();
});

test('blocked IndexedDB shows an explanation', async ({ relay, openBrowser }) => {
  const browser = await openBrowser('alice');
  // Firefox in private mode and browsers that block site data fail indexedDB.open this way.
  await browser.context.addInitScript(() => {
    IDBFactory.prototype.open = () => {
      throw new DOMException('A mutation operation was attempted on a database that did not allow mutations.', 'InvalidStateError');
    };
  });
  const page = browser.page;

  await page.goto(relay.url);

  await expect(page.getByRole('heading', { name: 'Meshtext cannot save anything here' })).toBeVisible();
  await expect(page.getByText('Opening Meshtext…')).toHaveCount(0);
});

test('deleted database is reported and the app starts fresh', async ({ relay, openBrowser }) => {
  const browser = await openBrowser('alice');
  const page = browser.page;
  await createIdentity(page, relay.url, 'Alice');
  await waitUntilOnline(page);

  // Deletes the origin's IndexedDB as the browser does under storage pressure.
  const session = await browser.context.newCDPSession(page);
  await session.send('Storage.clearDataForOrigin', { origin: new URL(relay.url).origin, storageTypes: 'indexeddb' });

  await expect(page.getByRole('heading', { name: "Meshtext's data on this device was deleted" })).toBeVisible();
  await page.getByRole('button', { name: 'Start again' }).click();

  await expect(page.getByRole('heading', { name: 'Welcome to Meshtext' })).toBeVisible();
  await expect(page.getByRole('alert')).toContainText('no longer on this device');
  await page.getByRole('textbox', { name: 'Display name' }).fill('Alice again');
  await page.getByRole('button', { name: 'Create my identity' }).click();
  await waitUntilOnline(page);
  await page.reload();
  await expect(page.getByRole('button', { name: 'Share my invite' })).toBeVisible();
});
