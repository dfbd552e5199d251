import { rm } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { connectionStatus, createIdentity } from './app.ts';
import { assertAppBuilt, expect, test } from './fixtures.ts';
import {
  buildApp,
  distDir,
  installVisibilityControl,
  listAssets,
  openProfile,
  setPageHidden,
  SwappableRelay,
  waitForServiceWorkerControl,
} from './pwa.ts';

test.beforeAll(() => assertAppBuilt());

/** Names of the /assets/ files the page has loaded, by script, style sheet or import. */
async function loadedAssetNames(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .map((entry) => new URL(entry.name).pathname)
      .filter((pathname) => pathname.startsWith('/assets/'))
      .map((pathname) => pathname.slice('/assets/'.length)),
  );
}

/**
 * Tells whether the page runs the main script of the build with these assets. Returns false
 * while the page is reloading, when it has no document to ask.
 */
async function hasLoadedMainScript(page: Page, buildAssets: string[]): Promise<boolean> {
  try {
    return (await loadedAssetNames(page)).some((name) => isMainScript(name) && buildAssets.includes(name));
  } catch (error) {
    if (String(error).includes('Execution context was destroyed')) return false;
    throw error;
  }
}

function isMainScript(assetName: string): boolean {
  return /^index-[\w-]+\.js$/.test(assetName);
}

test('app shell loads offline', async ({ openBrowser }) => {
  const relay = new SwappableRelay();
  await relay.start(distDir);
  try {
    const page = (await openBrowser('alice')).page;
    await createIdentity(page, relay.url, 'Alice');
    await waitForServiceWorkerControl(page);

    await relay.stop();
    await page.reload();

    await expect(page.getByRole('heading', { name: 'Meshtext' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Share my invite' })).toBeVisible();
    await expect(connectionStatus(page)).not.toHaveText('Online');
  } finally {
    await relay.dispose();
  }
});

test('service worker script is served uncached', async ({ relay, request }) => {
  for (const file of ['sw.js', 'sw-notifications.js', 'index.html', 'manifest.webmanifest']) {
    const response = await request.get(`${relay.url}${file}`);

    expect(response.status(), file).toBe(200);
    expect(response.headers()['cache-control'], file).toBe('no-cache');
  }
});

test('update reaches every open tab', async ({ openBrowser }) => {
  const nextBuildId = `next-${Date.now()}`;
  const nextDir = await buildApp(nextBuildId);
  const nextAssets = await listAssets(nextDir);
  const relay = new SwappableRelay();
  await relay.start(distDir);

  try {
    const browser = await openBrowser('alice');
    await installVisibilityControl(browser.context);
    const first = browser.page;
    await createIdentity(first, relay.url, 'Alice');
    await waitForServiceWorkerControl(first);
    const second = await browser.context.newPage();
    await second.goto(relay.url);
    await expect(second.getByRole('button', { name: 'Share my invite' })).toBeVisible();
    const currentAssets = await loadedAssetNames(first);
    expect(currentAssets.filter(isMainScript)).toHaveLength(1);
    expect(currentAssets.filter(isMainScript).filter((name) => nextAssets.includes(name))).toEqual([]);

    // Deploy the next build, then bring the first tab back to the foreground.
    await relay.stop();
    await relay.start(nextDir);
    await setPageHidden(first, true);
    await setPageHidden(first, false);

    for (const tab of [first, second]) {
      await expect(tab.getByText('Update available')).toBeVisible();
    }
    await second.getByRole('button', { name: 'Reload' }).click();

    for (const tab of [first, second]) {
      await expect.poll(() => hasLoadedMainScript(tab, nextAssets)).toBe(true);
      await expect(tab.getByRole('button', { name: 'Share my invite' })).toBeVisible();
      await expect(tab.getByText('Update available')).toBeHidden();
    }

    const profile = await openProfile(first);
    await expect(profile.getByText(`Build ${nextBuildId}`)).toBeVisible();
    for (const tab of [first, second]) {
      const loaded = await loadedAssetNames(tab);
      const fromOtherBuild = loaded.filter((name) => !nextAssets.includes(name));
      expect(fromOtherBuild, `assets from another build in ${tab.url()}`).toEqual([]);
    }
  } finally {
    await relay.dispose();
    await rm(nextDir, { recursive: true, force: true });
  }
});
