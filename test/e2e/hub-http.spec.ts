import { chatBothWays } from './app.ts';
import { chromiumArgs, chromiumLaunchOptions } from './chromium.ts';
import { assertAppBuilt, expect, test } from './fixtures.ts';

// A name that is not localhost makes plain HTTP an insecure origin, as a LAN address is: no
// service worker, no Web Locks, no camera. The resolver rule keeps the name on this machine.
const HUB_NAME = 'meshtext-hub.test';

test.use({
  launchOptions: {
    ...chromiumLaunchOptions,
    args: [...chromiumArgs, `--host-resolver-rules=MAP ${HUB_NAME} 127.0.0.1`],
  },
});

test.beforeAll(() => assertAppBuilt());

test('two browsers chat through a plain HTTP hub with the fallbacks', async ({ relay, openBrowser }) => {
  const hubUrl = `http://${HUB_NAME}:${relay.port}/`;
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');

  await chatBothWays(hubUrl, alice.page, bob.page);

  const origin = await alice.page.evaluate(() => ({
    isSecure: window.isSecureContext,
    hasServiceWorker: 'serviceWorker' in navigator,
    hasLocks: 'locks' in navigator,
  }));
  expect(origin).toEqual({ isSecure: false, hasServiceWorker: false, hasLocks: false });
});
