/**
 * A headless Chromium whose profile lives in a new folder on disk, removed on close.
 *
 * An installed app keeps IndexedDB on disk. A context from `browser.newPage()` is off the
 * record, and Chromium keeps its IndexedDB in memory there, which writes several times slower
 * than the on-disk store on the machines these benchmarks ran on (see README.md). Benchmarks of
 * the app's storage therefore run in a profile like the one a user has.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { chromiumLaunchOptions } from '../e2e/chromium.ts';

/** The browser's one context and its first page. `close` ends the browser and removes its profile. */
export interface ProfileBrowser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export async function launchProfileBrowser(options: { viewport?: { width: number; height: number } } = {}): Promise<ProfileBrowser> {
  const profileDir = await mkdtemp(join(tmpdir(), 'meshtext-bench-profile-'));
  const removeProfile = () => rm(profileDir, { recursive: true, force: true });

  try {
    const context = await chromium.launchPersistentContext(profileDir, { ...chromiumLaunchOptions, headless: true, ...options });
    const page = context.pages()[0] ?? (await context.newPage());

    return {
      context,
      page,
      close: async () => {
        await context.close();
        await removeProfile();
      },
    };
  } catch (error) {
    await removeProfile();
    throw error;
  }
}
