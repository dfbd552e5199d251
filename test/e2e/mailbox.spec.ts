import { assertAppBuilt, test, expect } from './fixtures.ts';
import { namespaceLinks, setLinks } from './network-links.ts';
import { chatBothWays } from './app.ts';

test.beforeAll(() => assertAppBuilt());

/** Reads a counter from the relay's Prometheus metrics. */
async function relayCounter(relayUrl: string, name: string): Promise<number> {
  const text = await (await fetch(new URL('metrics', relayUrl))).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));

  return Number(line?.split(' ')[1] ?? Number.NaN);
}

test('messages arrive through the mailbox when peers cannot reach each other', async ({ relay, openBrowser }) => {
  test.skip(namespaceLinks().length === 0, 'needs the network namespace of scripts/in-netns.sh (run as root)');
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');

  await setLinks('down');
  try {
    await chatBothWays(relay.url, alice.page, bob.page);
  } finally {
    await setLinks('up');
  }

  // Two messages and two receipts went through the mailbox.
  expect(await relayCounter(relay.url, 'meshtext_mailbox_stored_total')).toBeGreaterThanOrEqual(4);
});
