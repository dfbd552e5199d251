/**
 * Bulk file transfer between two Chromium processes: throughput and peak JS heap of the two
 * pages, for Meshtext beside plain PeerJS sending the same bytes in the same run.
 *
 *   - Baseline: two plain PeerJS peers (raw serialization, as the app uses) through a stock
 *     PeerJS server. The sender writes FILE_BYTES in 16 KiB chunks as fast as `send` takes them,
 *     leaving backpressure to PeerJS; the time runs from the first send to the receiver holding
 *     every byte. Nothing is encrypted, stored or checked.
 *   - Meshtext: Alice sends a File of the same bytes through `Meshtext.sendFile`, which hashes
 *     it, stores it, sends the message and serves Bob's requests for parts; Bob decrypts,
 *     stores each 64 KiB part in IndexedDB and checks the SHA-256. The time runs from the call
 *     to Bob's file row reading 'complete'.
 *
 * Peak heap is the largest `JSHeapUsedSize` (Chrome DevTools Protocol, Performance.getMetrics)
 * sampled every 100 ms during the transfer, minus the value just before it, summed over both
 * pages. Blobs, IndexedDB and usually the contents of typed arrays live outside the JS heap, so
 * it measures what the code keeps in JavaScript objects, not the whole process. The sender
 * pages generate the bytes themselves, so Playwright does not copy them.
 *
 * dist/ is rebuilt first when the sources changed (see app-build.ts).
 */

import type { Page } from '@playwright/test';
import { ensureAppBuilt } from './app-build.ts';
import { connectRawPair, launchBrowserPair } from './browser-pair.ts';
import { startMeshtextPair } from './meshtext-pair.ts';
import { round, type Benchmark, type Metric } from './metric.ts';
import { startPlainRelay } from './plain-relay.ts';

const FILE_BYTES = 16 * 1024 * 1024;
const CHUNK_BYTES = 16 * 1024;
const SAMPLE_INTERVAL_MS = 100;
const TRANSFER_TIMEOUT_MS = 240_000;

/** Result of one transfer. */
interface TransferFigures {
  durationMs: number;
  peakHeapBytes: number;
}

/** Samples the JS heap of pages until stopped, and returns the peak growth over the start, summed. */
async function watchHeap(pages: Page[]): Promise<() => Promise<number>> {
  const sessions = await Promise.all(pages.map((page) => page.context().newCDPSession(page)));
  await Promise.all(sessions.map((session) => session.send('Performance.enable')));
  const read = async (): Promise<number[]> =>
    Promise.all(
      sessions.map(async (session) => {
        const { metrics } = await session.send('Performance.getMetrics');

        return metrics.find((metric) => metric.name === 'JSHeapUsedSize')?.value ?? 0;
      }),
    );
  const start = await read();
  const peaks = [...start];
  let isRunning = true;
  const sampling = (async () => {
    while (isRunning) {
      (await read()).forEach((value, index) => (peaks[index] = Math.max(peaks[index] ?? 0, value)));
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_INTERVAL_MS));
    }
  })();

  return async () => {
    isRunning = false;
    await sampling;
    await Promise.all(sessions.map((session) => session.detach()));

    return peaks.reduce((sum, peak, index) => sum + (peak - (start[index] ?? 0)), 0);
  };
}

async function measureRaw(): Promise<TransferFigures> {
  const relay = await startPlainRelay();
  const pair = await launchBrowserPair();

  try {
    await connectRawPair(pair, relay.url, relay.endpoint, 'raw');
    const received = pair.b.evaluate(
      ({ totalBytes, timeoutMs }) =>
        new Promise<number>((resolve, reject) => {
          let count = 0;
          const timer = setTimeout(() => reject(new Error(`raw transfer timed out at ${count} bytes`)), timeoutMs);
          window.rawPeer.onData = (data) => {
            count += (data as ArrayBuffer).byteLength;
            if (count < totalBytes) return;
            clearTimeout(timer);
            resolve(performance.timeOrigin + performance.now());
          };
        }),
      { totalBytes: FILE_BYTES, timeoutMs: TRANSFER_TIMEOUT_MS },
    );
    const stopHeap = await watchHeap([pair.a, pair.b]);

    const startedAt = await pair.a.evaluate(
      ({ totalBytes, chunkBytes }) => {
        const connection = window.rawPeer.connection;
        if (!connection) throw new Error('no open data connection to send on');

        const bytes = new Uint8Array(totalBytes);
        for (let index = 0; index < totalBytes; index++) bytes[index] = (index * 31 + 7) & 0xff;
        const startedAt = performance.timeOrigin + performance.now();
        for (let offset = 0; offset < totalBytes; offset += chunkBytes) void connection.send(bytes.slice(offset, offset + chunkBytes));

        return startedAt;
      },
      { totalBytes: FILE_BYTES, chunkBytes: CHUNK_BYTES },
    );
    const finishedAt = await received;

    return { durationMs: finishedAt - startedAt, peakHeapBytes: await stopHeap() };
  } finally {
    await pair.close();
    await relay.close();
  }
}

async function measureMeshtext(): Promise<TransferFigures> {
  await ensureAppBuilt();
  const pair = await startMeshtextPair();

  try {
    const completed = pair.bob.evaluate(
      async ({ timeoutMs }) => {
        const deadline = Date.now() + timeoutMs;
        while (Date.now() < deadline) {
          const files = await window.meshtext.db.files.toArray();
          if (files.some((file) => file.meta.name === 'bench.bin' && file.state === 'complete')) {
            return performance.timeOrigin + performance.now();
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        throw new Error('file transfer timed out');
      },
      { timeoutMs: TRANSFER_TIMEOUT_MS },
    );
    const stopHeap = await watchHeap([pair.alice, pair.bob]);

    const startedAt = await pair.alice.evaluate(
      async ({ totalBytes, bobAddress }) => {
        const bytes = new Uint8Array(totalBytes);
        for (let index = 0; index < totalBytes; index++) bytes[index] = (index * 31 + 7) & 0xff;
        const file = new File([bytes], 'bench.bin', { type: 'application/octet-stream' });
        const startedAt = performance.timeOrigin + performance.now();
        await window.meshtext.sendFile(bobAddress, file);

        return startedAt;
      },
      { totalBytes: FILE_BYTES, bobAddress: pair.bobAddress },
    );
    const finishedAt = await completed;

    return { durationMs: finishedAt - startedAt, peakHeapBytes: await stopHeap() };
  } finally {
    await pair.close();
  }
}

function mebibytesPerSecond(figures: TransferFigures): number | null {
  return round(FILE_BYTES / (1024 * 1024) / (figures.durationMs / 1000), 2);
}

function mebibytes(bytes: number): number | null {
  return round(bytes / (1024 * 1024), 1);
}

export const fileTransfer: Benchmark = {
  name: 'file-transfer',
  async run(): Promise<Metric[]> {
    const raw = await measureRaw();
    const meshtext = await measureMeshtext();

    return [
      { name: 'file transfer 16 MiB, throughput', value: mebibytesPerSecond(meshtext), unit: 'MiB/s', baseline: mebibytesPerSecond(raw), goal: null },
      { name: 'file transfer 16 MiB, duration', value: round(meshtext.durationMs, 0), unit: 'ms', baseline: round(raw.durationMs, 0), goal: null },
      {
        name: 'file transfer 16 MiB, peak JS heap growth (both pages)',
        value: mebibytes(meshtext.peakHeapBytes),
        unit: 'MiB',
        baseline: mebibytes(raw.peakHeapBytes),
        goal: null,
      },
    ];
  },
};
