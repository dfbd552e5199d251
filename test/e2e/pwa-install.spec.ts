import { createIdentity } from './app.ts';
import { chromiumArgs, chromiumLaunchOptions } from './chromium.ts';
import { assertAppBuilt, expect, test } from './fixtures.ts';
import { openProfile, waitForServiceWorkerControl } from './pwa.ts';

interface ManifestIcon {
  src: string;
  sizes: string;
  type: string;
  purpose?: string;
}

interface WebManifest {
  id: string;
  name: string;
  short_name: string;
  display: string;
  scope: string;
  start_url: string;
  theme_color: string;
  background_color: string;
  icons: ManifestIcon[];
  shortcuts: { name: string; url: string }[];
  share_target: { action: string; method: string; enctype: string; params: Record<string, string> };
}

const iphoneUserAgent =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';

// Chromium fires beforeinstallprompt only after some user engagement with the site. The
// switch drops that condition, so that the real event reaches the page in a test.
test.use({
  launchOptions: { ...chromiumLaunchOptions, args: [...chromiumArgs, '--bypass-app-banner-engagement-checks'] },
});

test.beforeAll(() => assertAppBuilt());

test('manifest is complete', async ({ relay, request }) => {
  const response = await request.get(`${relay.url}manifest.webmanifest`);
  expect(response.ok()).toBe(true);
  const manifest = (await response.json()) as WebManifest;

  expect(manifest.name).toBe('Meshtext');
  expect(manifest.short_name).toBe('Meshtext');
  expect(manifest.id).toBe('/');
  expect(manifest.display).toBe('standalone');
  expect(manifest.scope).toBe('/');
  expect(manifest.start_url).toBe('/');
  expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/);
  expect(manifest.background_color).toMatch(/^#[0-9a-f]{6}$/);
  expect(manifest.icons.map((icon) => `${icon.sizes} ${icon.purpose}`)).toEqual([
    '192x192 any',
    '512x512 any',
    '512x512 maskable',
  ]);
  expect(manifest.shortcuts.map((shortcut) => shortcut.url)).toEqual(['/#/share-invite', '/#/add-contact']);
  expect(manifest.share_target).toEqual({
    action: '/share',
    method: 'GET',
    enctype: 'application/x-www-form-urlencoded',
    params: { title: 'title', text: 'text', url: 'url' },
  });

  for (const icon of manifest.icons) {
    const iconResponse = await request.get(`${relay.url}${icon.src}`);
    expect(iconResponse.headers()['content-type'], icon.src).toBe('image/png');
  }
});

test('Chrome finds the app installable', async ({ relay, openBrowser }) => {
  // A persistent profile, because Chromium reports an incognito window as not installable.
  const browser = await openBrowser('alice');
  const page = browser.page;
  await page.goto(relay.url);
  await waitForServiceWorkerControl(page);

  const session = await browser.context.newCDPSession(page);
  const { installabilityErrors } = await session.send('Page.getInstallabilityErrors');

  expect(installabilityErrors).toEqual([]);
});

test('install button opens the browser prompt', async ({ relay, openBrowser }) => {
  const browser = await openBrowser('alice');
  // The browser's install dialog is outside the page, where Playwright cannot click. The real
  // event still arrives; only its prompt() and answer are replaced.
  await browser.context.addInitScript(() => {
    const prototype = (globalThis as unknown as { BeforeInstallPromptEvent: { prototype: object } }).BeforeInstallPromptEvent
      .prototype;
    Object.defineProperty(prototype, 'prompt', {
      value: () => {
        (globalThis as unknown as { installPromptCount: number }).installPromptCount += 1;
        return Promise.resolve();
      },
    });
    Object.defineProperty(prototype, 'userChoice', { get: () => Promise.resolve({ outcome: 'accepted' }) });
    (globalThis as unknown as { installPromptCount: number }).installPromptCount = 0;
  });
  const page = browser.page;
  await createIdentity(page, relay.url, 'Alice');

  const profile = await openProfile(page);
  await profile.getByRole('button', { name: 'Install Meshtext' }).click();

  await expect(profile.getByText('Meshtext is installed on this device.')).toBeVisible();
  expect(await page.evaluate(() => (globalThis as unknown as { installPromptCount: number }).installPromptCount)).toBe(1);
});

test('iOS users see Add to Home Screen steps', async ({ relay, browser }) => {
  const context = await browser.newContext({ userAgent: iphoneUserAgent });
  const page = await context.newPage();
  await createIdentity(page, relay.url, 'Alice');

  const profile = await openProfile(page);

  await expect(profile.getByText('"Add to Home Screen"')).toBeVisible();
  await expect(profile.getByRole('button', { name: 'Install Meshtext' })).toHaveCount(0);
  await context.close();
});

test('app shortcuts open their dialogs', async ({ relay, openBrowser }) => {
  const page = (await openBrowser('alice')).page;
  await createIdentity(page, relay.url, 'Alice');

  await page.goto(`${relay.url}#/add-contact`);
  const addDialog = page.getByRole('dialog', { name: 'Add contact' });
  await expect(addDialog).toBeVisible();
  expect(new URL(page.url()).hash).toBe('');
  await addDialog.getByRole('button', { name: 'Cancel' }).click();
  // A close event still pending from the first dialog would close the second one as it opens.
  await expect(addDialog).toBeHidden();

  await page.goto(`${relay.url}#/share-invite`);
  await expect(page.getByRole('dialog', { name: 'Your invite' })).toBeVisible();
});
