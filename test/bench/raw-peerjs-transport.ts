/**
 * Plain PeerJS between two Chromium processes through a stock PeerJS server: connection
 * setup time, one-way latency and sustained throughput of 200-byte messages. These are the
 * baseline figures for the same measurements through Meshtext.
 *
 * Latency is one-way: the sender writes `performance.timeOrigin + performance.now()` into the
 * message and the receiver subtracts it from its own reading. Both browsers run on one
 * machine and read the same system clock, so no clock offset needs correcting. The round trip
 * to the acknowledgement, timed by the sender alone, is reported as a cross-check. Chromium
 * rounds `performance.now()` to 0.1 ms in pages that are not cross-origin isolated, so the
 * figures have that resolution. The sender waits for the acknowledgement before the next
 * message, so no message queues behind another. Throughput is the number of messages divided by the time from the first send to
 * the last arrival, with PeerJS handling backpressure on its own.
 */

import type { Page } from '@playwright/test';
import { connectRawPair, launchBrowserPair } from './browser-pair.ts';
import { percentile, round, type Benchmark, type Metric } from './metric.ts';
import { startPlainRelay } from './plain-relay.ts';

export const messageBytes = 200;
const warmupMessages = 50;
const latencyMessages = 500;
const throughputMessages = 20_000;
const throughputTimeoutMs = 120_000;

/** Latency samples in milliseconds, warm-up messages excluded. */
export interface LatencySamples {
  oneWay: number[];
  roundTrip: number[];
}

/**
 * Runs the paced ping-pong from `sender` to `receiver` over their open raw connection and
 * returns one-way and round-trip times.
 */
export async function measureRawLatency(sender: Page, receiver: Page): Promise<LatencySamples> {
  await receiver.evaluate((messageBytes) => {
    const state = window.rawPeer;
    const latencies: number[] = [];
    (window as unknown as { latencies: number[] }).latencies = latencies;

    state.onData = (data) => {
      const receivedAt = performance.timeOrigin + performance.now();
      const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : (data as Uint8Array);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      if (bytes.byteLength !== messageBytes) throw new Error(`expected ${messageBytes} bytes, got ${bytes.byteLength}`);

      latencies.push(receivedAt - view.getFloat64(8));
      state.connection?.send(view.getUint32(0));
    };
  }, messageBytes);

  const roundTrip = await sender.evaluate(
    async ({ messageBytes, count }) => {
      const state = window.rawPeer;
      const connection = state.connection;
      if (!connection) throw new Error('no open data connection to send on');

      const roundTrips: number[] = [];
      for (let sequence = 0; sequence < count; sequence++) {
        const acknowledged = new Promise<void>((resolve) => {
          state.onData = () => resolve();
        });
        const message = new Uint8Array(messageBytes);
        const view = new DataView(message.buffer);
        const sentAt = performance.timeOrigin + performance.now();
        view.setUint32(0, sequence);
        view.setFloat64(8, sentAt);

        await connection.send(message);
        await acknowledged;
        roundTrips.push(performance.timeOrigin + performance.now() - sentAt);
      }

      return roundTrips;
    },
    { messageBytes, count: warmupMessages + latencyMessages },
  );

  const oneWay = await receiver.evaluate(() => (window as unknown as { latencies: number[] }).latencies);

  return { oneWay: oneWay.slice(warmupMessages), roundTrip: roundTrip.slice(warmupMessages) };
}

/** Sends `count` messages as fast as PeerJS accepts them and returns messages per second. */
export async function measureRawThroughput(sender: Page, receiver: Page, count: number): Promise<number> {
  await receiver.evaluate((count) => {
    const state = window.rawPeer;
    const progress = { received: 0, lastReceivedAt: 0 };
    (window as unknown as { progress: typeof progress }).progress = progress;

    state.onData = () => {
      progress.received += 1;
      if (progress.received === count) progress.lastReceivedAt = performance.timeOrigin + performance.now();
    };
  }, count);

  const startedAt = await sender.evaluate(
    async ({ messageBytes, count }) => {
      const connection = window.rawPeer.connection;
      if (!connection) throw new Error('no open data connection to send on');

      const message = new Uint8Array(messageBytes);
      const startedAt = performance.timeOrigin + performance.now();
      // Yield to the event loop between batches so that PeerJS and the channel can drain.
      for (let sent = 0; sent < count; sent++) {
        await connection.send(message);
        if (sent % 500 === 499) await new Promise((resolve) => setTimeout(resolve, 0));
      }

      return startedAt;
    },
    { messageBytes, count },
  );

  await receiver.waitForFunction(
    (count) => (window as unknown as { progress: { received: number } }).progress.received >= count,
    count,
    { timeout: throughputTimeoutMs },
  );
  const lastReceivedAt = await receiver.evaluate(
    () => (window as unknown as { progress: { lastReceivedAt: number } }).progress.lastReceivedAt,
  );

  return (count * 1000) / (lastReceivedAt - startedAt);
}

export const rawPeerjsTransport: Benchmark = {
  name: 'raw PeerJS transport',
  run: async () => {
    const relay = await startPlainRelay();
    const pair = await launchBrowserPair();

    try {
      const connectStartedAt = performance.now();
      await connectRawPair(pair, relay.url, relay.endpoint);
      const connectMs = performance.now() - connectStartedAt;

      const latencies = await measureRawLatency(pair.a, pair.b);
      const messagesPerSecond = await measureRawThroughput(pair.a, pair.b, throughputMessages);

      const metric = (name: string, value: number | null, unit: string): Metric => ({
        name,
        value,
        unit,
        baseline: null,
        goal: null,
      });

      return [
        metric('raw PeerJS page load + connect', round(connectMs, 0), 'ms'),
        metric(`raw PeerJS latency p50 (${messageBytes} B)`, round(percentile(latencies.oneWay, 50), 1), 'ms'),
        metric(`raw PeerJS latency p95 (${messageBytes} B)`, round(percentile(latencies.oneWay, 95), 1), 'ms'),
        metric(`raw PeerJS round trip p50 (${messageBytes} B)`, round(percentile(latencies.roundTrip, 50), 1), 'ms'),
        metric(`raw PeerJS throughput (${messageBytes} B)`, round(messagesPerSecond, 0), 'msg/s'),
      ];
    } finally {
      await pair.close();
      await relay.close();
    }
  },
};
