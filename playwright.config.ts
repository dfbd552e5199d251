import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './test/e2e/chromium.ts';

/**
 * End-to-end tests in real Chromium against the real relay. Run them through
 * `npm run test:e2e`, which builds the app and, as root, isolates the network traffic in a
 * namespace of its own.
 *
 * Each test starts its own relay and browsers, and peer scenarios run two or three Chromium
 * processes at once, so tests run one at a time.
 */
export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: 'list',
  outputDir: 'test-results',
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: chromiumLaunchOptions,
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
  },
});
