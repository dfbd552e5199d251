/**
 * Offline cold start of the installed app: Chromium starts on a profile where the service
 * worker is installed and an identity exists, the relay is down, and the app loads from the
 * precache. The figure is the time from navigation start until the main screen's "Share my
 * invite" button is in the DOM, as `performance.now()` in the page.
 *
 * Each sample starts a new browser process on the same profile, so that no page, worker or
 * memory cache survives from the previous one. The disk caches (Cache Storage, V8 code cache)
 * stay, as they do for an installed app between launches.
 *
 * The baseline is a blank page served by a plain Node HTTP server on loopback, opened the same
 * way and timed until its only element is in the DOM.
 */

import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from '@playwright/test';
import { silentLogger, startRelay } from '../../signaling/server.ts';
import { chromiumLaunchOptions } from '../e2e/chromium.ts';
import { distDir, ensureAppBuilt } from './app-build.ts';
import { percentile, round, type Benchmark, type Metric } from './metric.ts';

const sampleCount = 8;
const readyTimeoutMs = 30_000;
const coldStartGoal = '<= 500';

/** Marks in `window.benchReadyAt` when an element with this text first appears. */
function markWhenTextAppears(text: string): string {
  return `(() => {
    const isReady = () => [...document.querySelectorAll('button, p')].some((element) => element.textContent.trim() === ${JSON.stringify(text)});
    const observer = new MutationObserver(() => {
      if (window.benchReadyAt === undefined && isReady()) {
        window.benchReadyAt = performance.now();
        observer.disconnect();
      }
    });
    observer.observe(document, { childList: true, subtree: true });
  })();`;
}

async function launch(profileDir: string, readyText: string): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(profileDir, { ...chromiumLaunchOptions, headless: true });
  await context.addInitScript(markWhenTextAppears(readyText));

  return context;
}

/** Opens `url` in a new browser process on `profileDir` and returns ms until `readyText` showed. */
async function measureColdStart(profileDir: string, url: string, readyText: string): Promise<number> {
  const context = await launch(profileDir, readyText);

  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(url);
    await page.waitForFunction(() => (window as { benchReadyAt?: number }).benchReadyAt !== undefined, null, {
      timeout: readyTimeoutMs,
    });

    return await page.evaluate(() => (window as { benchReadyAt?: number }).benchReadyAt ?? Number.NaN);
  } finally {
    await context.close();
  }
}

/** Installs the app in a new profile while the relay is up: service worker and identity. */
async function installApp(profileDir: string, appUrl: string): Promise<void> {
  const context = await launch(profileDir, 'Share my invite');

  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(appUrl);
    await page.getByRole('textbox', { name: 'Display name' }).fill('Bench');
    await page.getByRole('button', { name: 'Create my identity' }).click();
    await page.getByRole('button', { name: 'Share my invite' }).waitFor();
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      while (!navigator.serviceWorker.controller) await new Promise((resolve) => setTimeout(resolve, 50));
    });
  } finally {
    await context.close();
  }
}

async function startBlankPageServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_request, response) => {
    response.setHeader('Content-Type', 'text/html; charset=utf-8');
    response.end('<!doctype html><html><head><title>blank</title></head><body><p>ready</p></body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function collectSamples(measure: () => Promise<number>): Promise<number[]> {
  const samples: number[] = [];
  for (let index = 0; index < sampleCount; index += 1) samples.push(await measure());

  return samples;
}

export const offlineStart: Benchmark = {
  name: 'offline cold start',
  run: async (): Promise<Metric[]> => {
    await ensureAppBuilt();
    const profileDir = await mkdtemp(path.join(tmpdir(), 'meshtext-bench-offline-'));
    const baselineProfileDir = await mkdtemp(path.join(tmpdir(), 'meshtext-bench-blank-'));
    const relayDataDir = await mkdtemp(path.join(tmpdir(), 'meshtext-bench-relay-'));
    const blankServer = await startBlankPageServer();

    try {
      const relay = await startRelay({
        port: 0,
        host: '127.0.0.1',
        staticDir: distDir,
        dataDir: relayDataDir,
        iceServers: [],
        logger: silentLogger,
      });
      const appUrl = relay.url.endsWith('/') ? relay.url : `${relay.url}/`;
      await installApp(profileDir, appUrl);
      await relay.close();

      const appSamples = await collectSamples(() => measureColdStart(profileDir, appUrl, 'Share my invite'));
      const blankSamples = await collectSamples(() => measureColdStart(baselineProfileDir, blankServer.url, 'ready'));
      console.log(`offline start: app samples ${appSamples.map((sample) => Math.round(sample)).join(', ')} ms`);
      console.log(`offline start: blank page samples ${blankSamples.map((sample) => Math.round(sample)).join(', ')} ms`);

      return [
        {
          name: 'offline cold start → interactive p50',
          value: round(percentile(appSamples, 50), 0),
          unit: 'ms',
          baseline: round(percentile(blankSamples, 50), 0),
          goal: coldStartGoal,
        },
        {
          name: 'offline cold start → interactive p95',
          value: round(percentile(appSamples, 95), 0),
          unit: 'ms',
          baseline: round(percentile(blankSamples, 95), 0),
          goal: coldStartGoal,
        },
      ];
    } finally {
      await blankServer.close();
      await Promise.all([profileDir, baselineProfileDir, relayDataDir].map((dir) => rm(dir, { recursive: true, force: true })));
    }
  },
};
