/**
 * Flushing a long outbox after a reconnect, between two Meshtext apps in two Chromium processes
 * through the real relay. Alice reloads with every WebSocket refused, so she has no relay, no
 * mailbox and no link, and queues `queuedMessages` messages for Bob. Then she reloads with the
 * network back. The figure is the time from that reload until all of them are in Bob's
 * IndexedDB, with Bob's conversation list on screen. Afterwards Bob's copy is checked: each message stored exactly once and in the
 * order sent. The baseline is plain PeerJS sending the same number of messages between two
 * other Chromium processes, measured in the same run.
 *
 * Times from both pages and from Node are wall clock milliseconds of the same machine.
 */

import type { Page } from '@playwright/test';
import { ensureAppBuilt } from './app-build.ts';
import { connectRawPair, launchBrowserPair } from './browser-pair.ts';
import { startMeshtextPair } from './meshtext-pair.ts';
import { round, type Benchmark, type Metric } from './metric.ts';
import { startPlainRelay } from './plain-relay.ts';
import { measureRawThroughput, messageBytes } from './raw-peerjs-transport.ts';

const queuedMessages = 10_000;
const sendsInFlight = 1_000;
const flushTimeoutMs = 300_000;
const pollIntervalMs = 20;
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

/** Starts polling Bob's IndexedDB; resolves with the wall clock time all messages were stored. */
function watchStored(bob: Page, aliceAddress: string, target: number): Promise<number | null> {
  return bob.evaluate(
    async ({ conversation, target, timeoutMs, pollIntervalMs }) => {
      const deadline = performance.now() + timeoutMs;
      while (performance.now() < deadline) {
        const stored = await window.meshtext.db.messages
          .where('[conversation+storedAt]')
          .between([conversation, -Infinity], [conversation, Infinity], true, true)
          .count();
        if (stored >= target) return performance.timeOrigin + performance.now();

        await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
      }

      return null;
    },
    { conversation: aliceAddress, target, timeoutMs: flushTimeoutMs, pollIntervalMs },
  );
}

/** Counts the flushed messages Bob holds more than once or out of the order they were sent. */
declare global {
  interface Window {
    benchStoreResults?: { calls: number; stored: number; duplicate: number; firstAt: number | null; totalMs: number };
  }
}

/**
 * Counts the outcomes of the receiver's store transactions from now on. A message that arrives
 * again (a resend after a link was replaced, say) counts as 'duplicate': work the flush wasted.
 */
async function countStoreResults(page: Page): Promise<void> {
  await page.evaluate(() => {
    const counts = { calls: 0, stored: 0, duplicate: 0, firstAt: null as number | null, totalMs: 0 };
    const storage = window.meshtext.storage;
    const storeIncoming = storage.storeIncoming.bind(storage);
    storage.storeIncoming = async (...args) => {
      const startedAt = performance.now();
      counts.firstAt ??= performance.timeOrigin + startedAt;
      const results = await storeIncoming(...args);
      counts.totalMs += performance.now() - startedAt;
      counts.calls += 1;
      for (const result of results) if (result === 'stored' || result === 'duplicate') counts[result] += 1;

      return results;
    };
    window.benchStoreResults = counts;
  });
}

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
      // Bob shows the conversation list, as in the throughput run: an open chat reloads the whole
      // history on every change, which this benchmark does not measure.
      await bob.evaluate(() => window.meshtext.open(undefined));
      const goOnline = await queueOffline(alice, bobAddress);
      console.log(`flush: ${queuedMessages} messages queued while Alice was offline`);

      const storedBefore = await bob.evaluate(
        (conversation) => window.meshtext.db.messages.where('[conversation+storedAt]').between([conversation, -Infinity], [conversation, Infinity], true, true).count(),
        aliceAddress,
      );
      const stored = watchStored(bob, aliceAddress, storedBefore + queuedMessages);
      await countStoreResults(bob);
      goOnline();
      const reloadedAt = Date.now();
      const online = alice
        .reload()
        .then(() => alice.waitForFunction(() => window.meshtext?.relayStatus === 'online', undefined, { timeout: 30_000, polling: 10 }))
        .then(() => Date.now());
      const [onlineAt, storedAllAt] = await Promise.all([online, stored]);
      const check = await countOrderFaults(bob, aliceAddress);
      console.log(`flush: Bob holds ${check.stored} flushed messages, ${check.faults} of them duplicated or out of order`);
      const results = await bob.evaluate(() => window.benchStoreResults);
      console.log(
        `flush: Bob's store transactions ${results?.calls} (${Math.round(results?.totalMs ?? 0)} ms in all), the first ` +
          `${results?.firstAt ? Math.round(results.firstAt - reloadedAt) : '-'} ms after the reload; messages stored ${results?.stored}, arrived again ${results?.duplicate}`,
      );

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
        metric('Meshtext flushed messages missing, repeated or out of order', queuedMessages - check.stored + check.faults, 'msgs', null, '0'),
      ];
    } finally {
      await pair.close();
    }
  },
};
