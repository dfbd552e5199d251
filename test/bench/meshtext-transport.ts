/**
 * Messages between two Meshtext apps in two Chromium processes, through the real relay and the
 * whole app: storage, handshake, encryption, acknowledgements and rendering. Each figure is set
 * beside plain PeerJS (raw serialization, as the app uses) between two other Chromium processes
 * through a stock PeerJS server, measured in the same run just before:
 *
 *   - identity created → Online, beside the raw peer's registration (loading the PeerJS bundle,
 *     then `new Peer` until 'open');
 *   - invite added → first message delivered, beside the raw data connection setup (`connect`
 *     until both ends are open);
 *   - send → rendered latency, beside raw one-way latency. Bob has the chat open and a
 *     MutationObserver notes when each text enters the message log; Alice sends the next
 *     message only after that. A second run waits 250 ms before each next message, so a send
 *     does not meet the receipts and read marks of the one before;
 *   - sustained throughput with encryption and persistence, beside raw throughput for the same
 *     number of messages. Alice keeps up to `burstInFlight` `sendText` calls unresolved, so her
 *     outbox writes share transactions. The figure is the count divided by the time until all
 *     of them are in Bob's IndexedDB. Both apps show the conversation list, not the chat, so
 *     rendering a long message list slows neither side. A second, shorter run awaits each
 *     `sendText` before the next, which pays one outbox transaction per message. Beside them
 *     stand the IndexedDB writes that the sender needs per message at the least, with no app
 *     code, in Alice's page (see measureBareStorageCeiling).
 *
 * dist/ is rebuilt first when the sources changed (see app-build.ts).
 */

import { connectRawPeers, openRawPeer, randomPeerId } from '../e2e/raw-peerjs.ts';
import { ensureAppBuilt } from './app-build.ts';
import { launchBrowserPair } from './browser-pair.ts';
import { MAX_OUTBOX_WRITE_BATCH } from '../../src/core/outbox-writer.ts';
import {
  measureBareStorageCeiling,
  measureSendToRendered,
  measureStoredThroughput,
  readPageProfile,
  startPageProfile,
  type CallStats,
} from './meshtext-measure.ts';
import { startMeshtextPair, type MeshtextPair } from './meshtext-pair.ts';
import { percentile, round, type Benchmark, type Metric } from './metric.ts';
import { startPlainRelay } from './plain-relay.ts';
import { measureRawLatency, measureRawThroughput, messageBytes } from './raw-peerjs-transport.ts';

const warmupMessages = 50;
const latencyMessages = 300;
const throughputMessages = 5_000;
const throughputTimeoutMs = 180_000;
const throughputGoalRatio = 0.5;
/** `sendText` calls left unresolved at once in the burst run, so the outbox writes can batch. */
const burstInFlight = 1_000;
/** Messages of the latency run that leaves `spacedGapMs` between them, as people typing do. */
const spacedMessages = 100;
const spacedGapMs = 250;
/** Messages of the run that awaits each `sendText` before the next, as a person typing would. */
const oneAtATimeMessages = 500;

/** Storage calls timed during the throughput run, to show where the time goes. */
const profiledStorageMethods = ['queueOutgoingBatch', 'listOutbox', 'markSent', 'markDelivered', 'storeIncoming', 'markIncomingRead'];

/** Plain PeerJS figures measured in this run. */
interface RawBaseline {
  registerMs: number;
  connectMs: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  messagesPerSecond: number;
}

async function measureRawBaseline(): Promise<RawBaseline> {
  const relay = await startPlainRelay();
  const pair = await launchBrowserPair();

  try {
    const ids = { a: randomPeerId(), b: randomPeerId() };
    await Promise.all([pair.a.goto(relay.url), pair.b.goto(relay.url)]);

    const registerStartedAt = performance.now();
    await openRawPeer(pair.a, ids.a, relay.endpoint);
    const registerMs = performance.now() - registerStartedAt;
    await openRawPeer(pair.b, ids.b, relay.endpoint);

    const connectStartedAt = performance.now();
    await connectRawPeers(pair.a, pair.b, ids.b, 'raw');
    const connectMs = performance.now() - connectStartedAt;

    const latencies = await measureRawLatency(pair.a, pair.b);
    const messagesPerSecond = await measureRawThroughput(pair.a, pair.b, throughputMessages);

    return {
      registerMs,
      connectMs,
      latencyP50Ms: percentile(latencies.oneWay, 50),
      latencyP95Ms: percentile(latencies.oneWay, 95),
      messagesPerSecond,
    };
  } finally {
    await pair.close();
    await relay.close();
  }
}

function logProfile(user: string, profile: { storage: Record<string, CallStats>; longTaskMs: number }): void {
  for (const [method, stats] of Object.entries(profile.storage)) {
    if (stats.calls === 0) continue;

    const meanMs = (stats.totalMs / stats.calls).toFixed(2);
    console.log(`meshtext: ${user} ${method}: ${stats.calls} calls, mean ${meanMs} ms, max ${stats.maxMs.toFixed(1)} ms, sum ${Math.round(stats.totalMs)} ms`);
  }
  console.log(`meshtext: ${user} main thread long tasks: ${Math.round(profile.longTaskMs)} ms`);
}

/** Closes the chat in a page, which the Back button does on narrow screens. */
async function showConversationList(pair: MeshtextPair): Promise<void> {
  for (const page of [pair.alice, pair.bob]) {
    await page.evaluate(() => window.meshtext.open(undefined));
    await page.locator('[role="log"]').waitFor({ state: 'detached' });
  }
}

export const meshtextTransport: Benchmark = {
  name: 'Meshtext transport',
  run: async () => {
    await ensureAppBuilt();
    const raw = await measureRawBaseline();
    const pair = await startMeshtextPair();

    try {
      const { setup } = pair;
      console.log(`meshtext: identity → Online: Alice ${Math.round(setup.aliceOnlineMs)} ms, Bob ${Math.round(setup.bobOnlineMs)} ms`);
      console.log(`meshtext: first message sent → delivered: ${Math.round(setup.sendToDeliveredMs)} ms`);

      const samples = await measureSendToRendered(pair.alice, pair.bob, pair.bobAddress, warmupMessages + latencyMessages);
      const latencies = samples.slice(warmupMessages);
      const spacedLatencies = await measureSendToRendered(pair.alice, pair.bob, pair.bobAddress, spacedMessages, { gapMs: spacedGapMs, tag: 'spaced' });

      await showConversationList(pair);
      const ceiling = await measureBareStorageCeiling(pair.alice, throughputMessages, MAX_OUTBOX_WRITE_BATCH);
      console.log(`meshtext: bare IndexedDB, the sender's writes alone: ${Math.round(ceiling)} msg/s`);
      await startPageProfile(pair.alice, profiledStorageMethods);
      await startPageProfile(pair.bob, profiledStorageMethods);
      const throughput = await measureStoredThroughput(
        { page: pair.alice, address: pair.aliceAddress },
        { page: pair.bob, address: pair.bobAddress },
        throughputMessages,
        throughputTimeoutMs,
        burstInFlight,
      );
      console.log(
        `meshtext: throughput run: all sendText resolved after ${Math.round(throughput.queuedAllMs)} ms, ` +
          `Bob stored ${throughput.receivedCount} of ${throughputMessages}`,
      );
      logProfile('Alice', await readPageProfile(pair.alice));
      logProfile('Bob', await readPageProfile(pair.bob));
      const oneAtATime = await measureStoredThroughput(
        { page: pair.alice, address: pair.aliceAddress },
        { page: pair.bob, address: pair.bobAddress },
        oneAtATimeMessages,
        throughputTimeoutMs,
      );

      const rawDurationMs = (throughputMessages * 1000) / raw.messagesPerSecond;
      const metric = (name: string, value: number | null, unit: string, baseline: number | null, goal: string | null = null): Metric => ({
        name,
        value,
        unit,
        baseline,
        goal,
      });

      return [
        metric('Meshtext identity created → Online', round(setup.aliceOnlineMs, 0), 'ms', round(raw.registerMs, 0)),
        metric('Meshtext invite added → first message delivered', round(setup.inviteToDeliveredMs, 0), 'ms', round(raw.connectMs, 0)),
        metric(`Meshtext send → rendered p50 (${messageBytes} B)`, round(percentile(latencies, 50), 1), 'ms', round(raw.latencyP50Ms, 1), '≤ 5 ms'),
        metric(`Meshtext send → rendered p95 (${messageBytes} B)`, round(percentile(latencies, 95), 1), 'ms', round(raw.latencyP95Ms, 1)),
        metric(`Meshtext send → rendered p50, ${spacedGapMs} ms apart`, round(percentile(spacedLatencies, 50), 1), 'ms', round(raw.latencyP50Ms, 1), '≤ 5 ms'),
        metric(`Meshtext send → rendered p95, ${spacedGapMs} ms apart`, round(percentile(spacedLatencies, 95), 1), 'ms', round(raw.latencyP95Ms, 1)),
        metric(
          `Meshtext throughput, encrypted + stored (${messageBytes} B)`,
          round(throughput.messagesPerSecond, 0),
          'msg/s',
          round(raw.messagesPerSecond, 0),
          `≥ ${throughputGoalRatio}× raw`,
        ),
        metric(`bare IndexedDB, the sender's writes alone (${messageBytes} B)`, round(ceiling, 0), 'msg/s', round(raw.messagesPerSecond, 0)),
        metric(
          `Meshtext throughput, one send at a time (${messageBytes} B)`,
          round(oneAtATime.messagesPerSecond, 0),
          'msg/s',
          round(raw.messagesPerSecond, 0),
        ),
        metric(`Meshtext first send → last delivered (${throughputMessages} msgs)`, round(throughput.deliveredLastMs, 0), 'ms', round(rawDurationMs, 0)),
      ];
    } finally {
      await pair.close();
    }
  },
};
