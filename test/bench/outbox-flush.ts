/**
 * Flushing a long outbox after a reconnect, between two Meshtext apps in two Chromium processes
 * through the real relay. Alice reloads with every WebSocket refused, so she has no relay, no
 * mailbox and no link, and queues `queuedMessages` messages for Bob. Then she reloads with the
 * network back. The figure is the time from that reload until all of them are in Bob's
 * IndexedDB, with Bob's conversation list on screen. Afterwards Bob's copy is checked: each
 * message stored exactly once and in the order sent. The baseline is plain PeerJS sending the
 * same number of messages between two other Chromium processes, measured in the same run.
 * Beside it, Bob's page adds the same number of bare rows with the app's indexes and no app
 * code: the minimum time of any design with one row per message, on the receiver's side.
 *
 * Times from both pages and from Node are wall clock milliseconds of the same machine.
 */

import type { Page } from '@playwright/test';
import { ensureAppBuilt } from './app-build.ts';
import { connectRawPair, launchBrowserPair } from './browser-pair.ts';
import { MAX_INBOUND_BATCH } from '../../src/core/inbound-batcher.ts';
import { countStoreResults, measureBareStorageCeiling, waitForStoreResults } from './meshtext-measure.ts';
import { startMeshtextPair } from './meshtext-pair.ts';
import { round, type Benchmark, type Metric } from './metric.ts';
import { startPlainRelay } from './plain-relay.ts';
import { measureRawThroughput, messageBytes } from './raw-peerjs-transport.ts';

const queuedMessages = 10_000;
const sendsInFlight = 1_000;
const flushTimeoutMs = 300_000;
const flushGoalMs = 5_000;
const tag = 'flush';

async function measureRawDurationMs(): Promise<number> {
  const relay = await startPlainRelay();
  const pair = await launchBrowserPair();

  try {
    await connectRawPair(pair, relay.url, relay.endpoint, 'raw');
    const messagesPerSecond = await measureRawThroughput(pair.a, pair.b, queuedMessages);

    return (queuedMessages * 1000) / messagesPerSecond;
  } finally {
    await pair.close();
    await relay.close();
  }
}

async function waitForApp(page: Page): Promise<void> {
  await page.waitForFunction(() => window.meshtext?.phase === 'ready' && window.meshtext.tabRole === 'leader', undefined, { timeout: 30_000 });
}

/**
 * Queues the messages in Alice's outbox while she has no network. Returns a function that
 * lets her WebSockets through again, proxied by Playwright, from her next page load on.
 */
async function queueOffline(alice: Page, bobAddress: string): Promise<() => void> {
  let isOffline = true;
  await alice.routeWebSocket(/.*/, (socket) => {
    if (isOffline) socket.close();
    else socket.connectToServer();
  });
  await alice.reload();
  await waitForApp(alice);

  await alice.evaluate(
    async ({ to, count, tag, textBytes, sendsInFlight }) => {
      const inFlight = new Set<Promise<void>>();
      for (let sequence = 0; sequence < count; sequence++) {
        const head = `${tag} ${String(sequence).padStart(6, '0')} `;
        const send = window.meshtext.sendText(to, head + 'x'.repeat(textBytes - head.length)).finally(() => inFlight.delete(send));
        inFlight.add(send);
        if (inFlight.size >= sendsInFlight) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
    },
    { to: bobAddress, count: queuedMessages, tag, textBytes: messageBytes, sendsInFlight },
  );

  const waiting = await alice.evaluate(() => window.meshtext.db.outbox.count());
  if (waiting < queuedMessages) throw new Error(`only ${waiting} of ${queuedMessages} messages are waiting in the outbox; a link was open`);

  return () => {
    isOffline = false;
  };
}

/** Counts the flushed messages Bob holds more than once or out of the order they were sent. */
async function countOrderFaults(bob: Page, aliceAddress: string): Promise<{ stored: number; faults: number }> {
  return bob.evaluate(
    async ({ conversation, tag }) => {
      const messages = await window.meshtext.db.messages
        .where('[conversation+storedAt]')
        .between([conversation, -Infinity], [conversation, Infinity], true, true)
        .toArray();
      const pattern = new RegExp(`^${tag} (\\d{6}) `);
      const sequences = messages.flatMap((message) => {
        const match = pattern.exec(message.text);

        return match ? [Number(match[1])] : [];
      });
      let faults = 0;
      sequences.forEach((sequence, index) => {
        if (sequence !== index) faults += 1;
      });

      return { stored: sequences.length, faults };
    },
    { conversation: aliceAddress, tag },
  );
}

export const outboxFlush: Benchmark = {
  name: 'Meshtext outbox flush',
  run: async () => {
    await ensureAppBuilt();
    const rawDurationMs = await measureRawDurationMs();
    const pair = await startMeshtextPair();

    try {
      const { alice, bob, aliceAddress, bobAddress } = pair;
      // Bob shows the conversation list, as in the throughput run.
      await bob.evaluate(() => window.meshtext.open(undefined));
      const goOnline = await queueOffline(alice, bobAddress);
      console.log(`flush: ${queuedMessages} messages queued while Alice was offline`);

      await countStoreResults(bob, queuedMessages);
      const stored = waitForStoreResults(bob, flushTimeoutMs);
      goOnline();
      const reloadedAt = Date.now();
      const online = alice
        .reload()
        .then(() => alice.waitForFunction(() => window.meshtext?.relayStatus === 'online', undefined, { timeout: 30_000, polling: 10 }))
        .then(() => Date.now());
      const [onlineAt, results] = await Promise.all([online, stored]);
      const storedAllAt = results.reachedAt;
      const check = await countOrderFaults(bob, aliceAddress);
      console.log(`flush: Bob holds ${check.stored} flushed messages, ${check.faults} of them duplicated or out of order`);
      console.log(
        `flush: Bob's store transactions ${results.calls} (${Math.round(results.totalMs)} ms in all), the first ` +
          `${results.firstAt ? Math.round(results.firstAt - reloadedAt) : '-'} ms after the reload; messages stored ${results.stored}, arrived again ${results.duplicate}`,
      );

      // The minimum time of any design with a row per message, on Bob's side and in his page.
      const bareRate = await measureBareStorageCeiling(bob, queuedMessages, MAX_INBOUND_BATCH, 'receiver');
      const bareMs = (queuedMessages * 1000) / bareRate;
      console.log(`flush: bare IndexedDB in Bob's page, the receiver's ${queuedMessages} rows alone: ${Math.round(bareMs)} ms`);

      const flushMs = storedAllAt === null ? null : storedAllAt - reloadedAt;
      const onlineToStoredMs = storedAllAt === null ? null : storedAllAt - onlineAt;
      const metric = (name: string, value: number | null, unit: string, baseline: number | null, goal: string | null = null): Metric => ({
        name,
        value,
        unit,
        baseline,
        goal,
      });

      return [
        metric(`Meshtext reload → ${queuedMessages} queued messages stored`, round(flushMs, 0), 'ms', round(rawDurationMs, 0), `<= ${flushGoalMs}`),
        metric(`Meshtext Online → ${queuedMessages} queued messages stored`, round(onlineToStoredMs, 0), 'ms', round(rawDurationMs, 0)),
        metric(`bare IndexedDB, the receiver's ${queuedMessages} rows alone`, round(bareMs, 0), 'ms', round(rawDurationMs, 0)),
        metric('Meshtext flushed messages missing, repeated or out of order', queuedMessages - check.stored + check.faults, 'msgs', null, '0'),
      ];
    } finally {
      await pair.close();
    }
  },
};
