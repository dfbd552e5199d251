/**
 * Helpers for the installed-app specs: a relay whose served folder a test can swap, as a
 * deployment of a new build does, and control over whether a page counts as hidden.
 */

import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, type BrowserContext, type Page } from '@playwright/test';
import { build } from 'vite';
import { silentLogger, startRelay, type RunningRelay } from '../../signaling/server.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Folder that `npm run test:e2e` builds the app into. */
export const distDir = path.join(repoRoot, 'dist');

/** A relay on a fixed port whose app folder can change between starts, with one data folder. */
export class SwappableRelay {
  #relay: RunningRelay | undefined;
  #port = 0;
  #dataDir = '';

  get url(): string {
    return `http://127.0.0.1:${this.#port}/`;
  }

  /** Starts the relay serving `staticDir`, on the port of the previous start when there was one. */
  async start(staticDir: string): Promise<void> {
    if (this.#relay) throw new Error('relay already running');
    if (this.#dataDir === '') this.#dataDir = await mkdtemp(path.join(tmpdir(), 'meshtext-e2e-pwa-relay-'));

    this.#relay = await startRelay({
      port: this.#port,
      host: '127.0.0.1',
      staticDir,
      dataDir: this.#dataDir,
      iceServers: [],
      logger: silentLogger,
    });
    this.#port = this.#relay.port;
  }

  async stop(): Promise<void> {
    const relay = this.#relay;
    this.#relay = undefined;
    await relay?.close();
  }

  /** Stops the relay and deletes its data folder. */
  async dispose(): Promise<void> {
    await this.stop();
    if (this.#dataDir !== '') await rm(this.#dataDir, { recursive: true, force: true });
  }
}

/**
 * Builds the app into a new temporary folder with the given build id, as a next release would
 * be built, and returns the folder.
 */
export async function buildApp(buildId: string): Promise<string> {
  const outDir = await mkdtemp(path.join(tmpdir(), 'meshtext-e2e-build-'));
  const previousId = process.env.MESHTEXT_BUILD_ID;

  process.env.MESHTEXT_BUILD_ID = buildId;
  try {
    await build({ root: repoRoot, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  } finally {
    if (previousId === undefined) delete process.env.MESHTEXT_BUILD_ID;
    else process.env.MESHTEXT_BUILD_ID = previousId;
  }

  return outDir;
}

/** Lists the file names under a build's assets/ folder. */
export async function listAssets(buildDir: string): Promise<string[]> {
  return readdir(path.join(buildDir, 'assets'));
}

/** Waits until a service worker controls the page, so that it would load offline. */
export async function waitForServiceWorkerControl(page: Page): Promise<void> {
  await page.evaluate(() => navigator.serviceWorker.ready);
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
}

/**
 * Lets a test mark the context's pages hidden or visible. Headless Chromium reports every page
 * as visible, even minimized, and the DevTools Protocol has no command to hide one, so this
 * init script overrides `document.visibilityState` and `document.hidden`. Call it before the
 * pages load.
 */
export async function installVisibilityControl(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const state = { isHidden: false };
    Object.defineProperty(Document.prototype, 'visibilityState', {
      configurable: true,
      get: () => (state.isHidden ? 'hidden' : 'visible'),
    });
    Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => state.isHidden });
    (globalThis as unknown as { setTestVisibility: (isHidden: boolean) => void }).setTestVisibility = (isHidden) => {
      state.isHidden = isHidden;
      document.dispatchEvent(new Event('visibilitychange'));
    };
  });
}

/** Marks the page hidden or visible and fires `visibilitychange`, as switching apps would. */
export async function setPageHidden(page: Page, isHidden: boolean): Promise<void> {
  await page.evaluate((hidden) => {
    (globalThis as unknown as { setTestVisibility: (isHidden: boolean) => void }).setTestVisibility(hidden);
  }, isHidden);
}

/** Opens the profile dialog and returns it. */
export async function openProfile(page: Page) {
  await page.getByRole('button', { name: 'My profile' }).click();
  const dialog = page.getByRole('dialog', { name: 'My profile' });
  await expect(dialog).toBeVisible();

  return dialog;
}
