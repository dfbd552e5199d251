import { chatBothWays } from './app.ts';
import { chromiumArgs, chromiumLaunchOptions } from './chromium.ts';
import { assertAppBuilt, expect, test } from './fixtures.ts';
import { createTestCertificate } from './test-certificate.ts';

const certificate = createTestCertificate();

test.use({
  relayOptions: { tls: { cert: certificate.cert, key: certificate.key } },
  launchOptions: {
    ...chromiumLaunchOptions,
    args: [...chromiumArgs, `--ignore-certificate-errors-spki-list=${certificate.spkiHash}`],
  },
});

test.beforeAll(() => assertAppBuilt());

test('two browsers chat through a relay over HTTPS and WSS', async ({ relay, openBrowser }) => {
  expect(relay.url).toMatch(/^https:\/\//);
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');

  await chatBothWays(relay.url, alice.page, bob.page);

  const worker = await alice.page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    return { isSecure: window.isSecureContext, scope: registration.scope, hasLocks: 'locks' in navigator };
  });
  expect(worker.isSecure).toBe(true);
  expect(worker.scope).toBe(relay.url);
  expect(worker.hasLocks).toBe(true);
});
