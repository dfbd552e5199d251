/**
 * Latency and throughput of chat messages between two running Meshtext apps, driven through the
 * app's benchmark handle `window.meshtext` (set in src/main.ts). Every message text is
 * `messageBytes` (200) ASCII characters, so it is that many bytes before the app wraps it in a
 * JSON payload and encrypts it.
 *
 * All times are `performance.timeOrigin + performance.now()` in the page where the event
 * happens. The two browsers run on one machine and read the same system clock, so times from
 * both pages can be subtracted.
 *
 * Functions passed to `page.evaluate` run in the browser and may use nothing from this module's
 * scope. Values go in through their argument.
 */

import type { Page } from '@playwright/test';
import { messageBytes } from './raw-peerjs-transport.ts';

const perMessageTimeoutMs = 20_000;
const pollIntervalMs = 50;

/** Call statistics of one wrapped storage method. Durations include waiting for IndexedDB. */
export interface CallStats {
  calls: number;
  totalMs: number;
  maxMs: number;
}

/** Page-side state of the receiver in the latency measurement. */
interface LatencyReceiver {
  arrivals: Map<number, number>;
  waitFor(sequence: number, timeoutMs: number): Promise<number>;
  stop(): void;
}

/**
 * What the receiver's store transactions returned since `countStoreResults`. `reachedAt` is the
 * wall clock time at which the transaction that stored the `target`th new message committed.
 */
export interface StoreResults {
  calls: number;
  stored: number;
  duplicate: number;
  firstAt: number | null;
  totalMs: number;
  target: number;
  reachedAt: number | null;
}

declare global {
  interface Window {
    benchReceiver?: LatencyReceiver;
    benchStorageStats?: Record<string, CallStats>;
    benchLongTaskMs?: number;
    benchStoreResults?: StoreResults;
  }
}

/** Outcome of the throughput run. Times are null when the run timed out before them. */
export interface ThroughputResult {
  messagesPerSecond: number | null;
  /** From the first send until every message is in the receiver's IndexedDB. */
  storedAllMs: number | null;
  /** From the first send until the sender's last message has status 'delivered'. */
  deliveredLastMs: number | null;
  /** From the first send until the last `sendText` call resolved. */
  queuedAllMs: number;
  receivedCount: number;
}

/** Returns the message text with the given tag and sequence number, padded to `messageBytes`. */
export function benchText(tag: string, sequence: number): string {
  const head = `${tag} ${String(sequence).padStart(6, '0')} `;

  return head + 'x'.repeat(messageBytes - head.length);
}

/**
 * Watches the open chat in `page` and records when a message whose text contains
 * `<tag> <sequence>` first appears in the message log.
 */
async function startLatencyReceiver(page: Page, tag: string): Promise<void> {
  await page.evaluate((tag) => {
    const log = document.querySelector('[role="log"][aria-label="Messages"]');
    if (!log) throw new Error('no message log on screen: open the chat before measuring');

    const arrivals = new Map<number, number>();
    const waiters = new Map<number, (arrivedAt: number) => void>();
    const pattern = new RegExp(`${tag} (\\d{6}) `);
    const record = (node: Node, arrivedAt: number): void => {
      const match = pattern.exec(node.textContent ?? '');
      if (!match) return;

      const sequence = Number(match[1]);
      if (arrivals.has(sequence)) return;

      arrivals.set(sequence, arrivedAt);
      waiters.get(sequence)?.(arrivedAt);
      waiters.delete(sequence);
    };
    // A MutationObserver callback runs once the app's DOM update has finished, so added list
    // items already contain their text.
    const observer = new MutationObserver((mutations) => {
      const arrivedAt = performance.timeOrigin + performance.now();
      for (const mutation of mutations) {
        if (mutation.type === 'characterData') record(mutation.target, arrivedAt);
        for (const node of mutation.addedNodes) record(node, arrivedAt);
      }
    });
    observer.observe(log, { childList: true, subtree: true, characterData: true });

    window.benchReceiver = {
      arrivals,
      waitFor: (sequence, timeoutMs) => {
        const arrivedAt = arrivals.get(sequence);
        if (arrivedAt !== undefined) return Promise.resolve(arrivedAt);

        return new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`message ${sequence} not shown within ${timeoutMs} ms`)), timeoutMs);
          waiters.set(sequence, (at) => {
            clearTimeout(timer);
            resolve(at);
          });
        });
      },
      stop: () => observer.disconnect(),
    };
  }, tag);
}

/**
 * Sends `count` messages from `sender` to the open chat in `receiver`, one at a time, and
 * returns for each the milliseconds from just before `sendText` until the text is in the
 * receiver's DOM. The next message leaves `gapMs` after the previous one is shown. With no gap,
 * each send meets the receipts and read marks of the one before it in both databases. `tag`
 * must differ between runs on the same pages.
 */
export async function measureSendToRendered(
  sender: Page,
  receiver: Page,
  receiverAddress: string,
  count: number,
  { gapMs = 0, tag = 'latency' }: { gapMs?: number; tag?: string } = {},
): Promise<number[]> {
  const samples: number[] = [];
  await startLatencyReceiver(receiver, tag);

  for (let sequence = 0; sequence < count; sequence++) {
    const rendered = receiver.evaluate(
      ({ sequence, timeoutMs }) => window.benchReceiver!.waitFor(sequence, timeoutMs),
      { sequence, timeoutMs: perMessageTimeoutMs },
    );
    const sent = sender.evaluate(
      async ({ to, text }) => {
        const sentAt = performance.timeOrigin + performance.now();
        await window.meshtext.sendText(to, text);

        return sentAt;
      },
      { to: receiverAddress, text: benchText(tag, sequence) },
    );
    const [renderedAt, sentAt] = await Promise.all([rendered, sent]);
    samples.push(renderedAt - sentAt);
    if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
  }

  await receiver.evaluate(() => window.benchReceiver?.stop());

  return samples;
}

/**
 * Wraps the named methods of the page's storage adapter to count calls and time them, and sums
 * the main thread's long tasks (over 50 ms). Read the figures with `readPageProfile`.
 */
export async function startPageProfile(page: Page, storageMethods: readonly string[]): Promise<void> {
  await page.evaluate((storageMethods) => {
    const storage = window.meshtext.storage as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    const stats: Record<string, CallStats> = {};

    for (const name of storageMethods) {
      const original = storage[name];
      if (typeof original !== 'function') throw new Error(`storage has no method ${name}`);

      const methodStats: CallStats = { calls: 0, totalMs: 0, maxMs: 0 };
      stats[name] = methodStats;
      storage[name] = async (...args: unknown[]) => {
        const startedAt = performance.now();
        try {
          return await original.apply(storage, args);
        } finally {
          const elapsedMs = performance.now() - startedAt;
          methodStats.calls += 1;
          methodStats.totalMs += elapsedMs;
          methodStats.maxMs = Math.max(methodStats.maxMs, elapsedMs);
        }
      };
    }
    window.benchStorageStats = stats;

    window.benchLongTaskMs = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.benchLongTaskMs = (window.benchLongTaskMs ?? 0) + entry.duration;
    }).observe({ type: 'longtask' });
  }, storageMethods);
}

/** Returns the figures collected since `startPageProfile`. */
export async function readPageProfile(page: Page): Promise<{ storage: Record<string, CallStats>; longTaskMs: number }> {
  return page.evaluate(() => ({ storage: window.benchStorageStats ?? {}, longTaskMs: window.benchLongTaskMs ?? 0 }));
}

/**
 * Counts the outcomes of the page's store transactions from now on, until `target` new messages
 * are stored. A message that arrives again (a resend after a link was replaced, say) counts as
 * 'duplicate'. The count is kept in memory: counting the conversation's rows in IndexedDB every
 * few milliseconds would scan thousands of index entries each time and slow the very writes
 * being measured.
 */
export async function countStoreResults(page: Page, target: number): Promise<void> {
  await page.evaluate((target) => {
    const counts: StoreResults = { calls: 0, stored: 0, duplicate: 0, firstAt: null, totalMs: 0, target, reachedAt: null };
    const storage = window.meshtext.storage;
    const storeIncoming = storage.storeIncoming.bind(storage);
    storage.storeIncoming = async (...args) => {
      const startedAt = performance.now();
      counts.firstAt ??= performance.timeOrigin + startedAt;
      const results = await storeIncoming(...args);
      counts.totalMs += performance.now() - startedAt;
      counts.calls += 1;
      for (const result of results) if (result === 'stored' || result === 'duplicate') counts[result] += 1;
      if (counts.stored >= counts.target) counts.reachedAt ??= performance.timeOrigin + performance.now();

      return results;
    };
    window.benchStoreResults = counts;
  }, target);
}

/** Resolves with the figures of `countStoreResults` once its target is stored, or after `timeoutMs`. */
export async function waitForStoreResults(page: Page, timeoutMs: number): Promise<StoreResults> {
  await page
    .waitForFunction(() => (window.benchStoreResults?.reachedAt ?? null) !== null, undefined, { timeout: timeoutMs, polling: pollIntervalMs })
    .catch(() => undefined);
  const results = await page.evaluate(() => window.benchStoreResults);
  if (!results) throw new Error('no store results in this page: call countStoreResults on it before waiting');

  return results;
}

/**
 * Sends `count` messages from `sender` with up to `maxInFlight` `sendText` calls unresolved at
 * once. With 1, each send starts after the previous one resolved. It times how long the
 * receiver takes to store them all and the sender to see the last one delivered. The sender
 * polls IndexedDB for its last message every 50 ms, which bounds the error of that time.
 */
export async function measureStoredThroughput(
  sender: { page: Page; address: string },
  receiver: { page: Page; address: string },
  count: number,
  timeoutMs: number,
  maxInFlight = 1,
): Promise<ThroughputResult> {
  await countStoreResults(receiver.page, count);
  const stored = waitForStoreResults(receiver.page, timeoutMs);

  const sent = sender.page.evaluate(
    async ({ to, count, tag, textBytes, timeoutMs, pollIntervalMs, maxInFlight }) => {
      const now = () => performance.timeOrigin + performance.now();
      const makeText = (sequence: number): string => {
        const head = `${tag} ${String(sequence).padStart(6, '0')} `;

        return head + 'x'.repeat(textBytes - head.length);
      };

      const startedAt = now();
      const inFlight = new Set<Promise<void>>();
      for (let sequence = 0; sequence < count; sequence++) {
        const send = window.meshtext.sendText(to, makeText(sequence)).finally(() => inFlight.delete(send));
        inFlight.add(send);
        if (inFlight.size >= maxInFlight) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
      const queuedAllAt = now();

      const lastText = makeText(count - 1);
      const deadline = startedAt + timeoutMs;
      while (now() < deadline) {
        const last = await window.meshtext.db.messages
          .where('[conversation+storedAt]')
          .between([to, -Infinity], [to, Infinity], true, true)
          .last();
        if (last?.text === lastText && last.status === 'delivered') return { startedAt, queuedAllAt, deliveredLastAt: now() };

        await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
      }

      return { startedAt, queuedAllAt, deliveredLastAt: null };
    },
    { to: receiver.address, count, tag: 'throughput', textBytes: messageBytes, timeoutMs, pollIntervalMs, maxInFlight },
  );

  const [storedOutcome, sentOutcome] = await Promise.all([stored, sent]);
  const { startedAt } = sentOutcome;
  const storedAllMs = storedOutcome.reachedAt === null ? null : storedOutcome.reachedAt - startedAt;

  return {
    messagesPerSecond: storedAllMs === null ? null : (count * 1000) / storedAllMs,
    storedAllMs,
    deliveredLastMs: sentOutcome.deliveredLastAt === null ? null : sentOutcome.deliveredLastAt - startedAt,
    queuedAllMs: sentOutcome.queuedAllAt - startedAt,
    receivedCount: storedOutcome.stored,
  };
}

/**
 * Runs in `page`, with no app code, the IndexedDB writes that one side of a chat message needs
 * at the least. The sender adds the message row and its outbox entry in one transaction. For
 * the receipt, the row is read and rewritten with its new status, and the outbox entry deleted.
 * The receiver only adds the row. Rows go `batchSize` to a transaction, as the app batches them,
 * in a database of its own with the app's message indexes. Returns messages per second, the
 * ceiling of any design that keeps one row per message and its status in that row.
 */
export async function measureBareStorageCeiling(page: Page, count: number, batchSize: number, side: 'sender' | 'receiver' = 'sender'): Promise<number> {
  return page.evaluate(
    async ({ count, batchSize, textBytes, side }) => {
      const name = `bench-ceiling-${Date.now()}`;
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(name, 1);
        request.onupgradeneeded = () => {
          const messages = request.result.createObjectStore('messages', { keyPath: 'id' });
          messages.createIndex('[conversation+storedAt]', ['conversation', 'storedAt']);
          messages.createIndex('[conversation+sender+instance+seq]', ['conversation', 'sender', 'instance', 'seq'], { unique: true });
          messages.createIndex('words', 'words', { multiEntry: true });
          request.result.createObjectStore('outbox', { keyPath: 'messageId' }).createIndex('[conversation+seq]', ['conversation', 'seq']);
        };
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const finished = (transaction: IDBTransaction) =>
        new Promise<void>((resolve, reject) => {
          transaction.oncomplete = () => resolve();
          transaction.onerror = () => reject(transaction.error);
        });
      const text = 'x'.repeat(textBytes);

      const startedAt = performance.now();
      for (let start = 0; start < count; start += batchSize) {
        const ids = Array.from({ length: Math.min(batchSize, count - start) }, (_, offset) => `message-${start + offset}`);
        const queue = db.transaction(['messages', 'outbox'], 'readwrite');
        for (const [offset, id] of ids.entries()) {
          const seq = start + offset + 1;
          queue.objectStore('messages').add({ id, conversation: 'peer', sender: 'me', instance: 'bench', seq, storedAt: seq, text, words: ['bench', String(seq)], status: 'queued' });
          if (side === 'sender') queue.objectStore('outbox').add({ messageId: id, conversation: 'peer', seq });
        }
        await finished(queue);
        if (side === 'receiver') continue;

        const deliver = db.transaction(['messages', 'outbox'], 'readwrite');
        const messages = deliver.objectStore('messages');
        for (const id of ids) {
          const read = messages.get(id);
          read.onsuccess = () => messages.put({ ...read.result, status: 'delivered' });
          deliver.objectStore('outbox').delete(id);
        }
        await finished(deliver);
      }
      const elapsedMs = performance.now() - startedAt;

      db.close();
      indexedDB.deleteDatabase(name);

      return (count * 1000) / elapsedMs;
    },
    { count, batchSize, textBytes: messageBytes, side },
  );
}
