import { chatBothWays } from './app.ts';
import { chromiumArgs, chromiumLaunchOptions } from './chromium.ts';
import { assertAppBuilt, test } from './fixtures.ts';

// With non-proxied UDP disabled and no proxy or TURN server, Chromium may only use TCP
// candidates, as on venue Wi-Fi that blocks UDP.
test.use({
  launchOptions: {
    ...chromiumLaunchOptions,
    args: [...chromiumArgs, '--force-webrtc-ip-handling-policy=disable_non_proxied_udp'],
  },
});

test.beforeAll(() => assertAppBuilt());

test('messages still arrive when UDP is blocked', async ({ relay, openBrowser }) => {
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');

  await chatBothWays(relay.url, alice.page, bob.page);
});
