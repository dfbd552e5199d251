/**
 * Long histories in the real app in headless Chromium: opening a conversation that contains
 * 100,000 messages and a group chat that contains 20,000, and searching all of them. The
 * messages are seeded into the app's IndexedDB through the e2e seeding path
 * (test/e2e/history-seed.ts), so the search indexes are the ones the app's own table hooks write.
 *
 *   - open → newest message shown: from the click on the chat until its newest message is in
 *     the DOM, measured inside the page. The first open of the conversation is a figure of its own. Baselines from the same run: a bare IndexedDB cursor
 *     over the same page of the `[conversation+storedAt]` index, and reading the whole history
 *     as the log did before it was windowed.
 *   - search: the `meshtext:search` user timing the search box records, from running the query
 *     until its first page of results is ready to render (the 120 ms typing pause before it is
 *     excluded). Baseline: a full scan, a bare `getAll()` of both message stores filtered on the
 *     text.
 *
 * dist/ is rebuilt first when the sources changed (see app-build.ts).
 */

import type { Page } from '@playwright/test';
import { silentLogger, startRelay } from '../../signaling/server.ts';
import { createIdentity, messageLog } from '../e2e/app.ts';
import { createGroup, seedConversation, seedGroupMessages } from '../e2e/history-seed.ts';
import { distDir, ensureAppBuilt } from './app-build.ts';
import { percentile, round, type Benchmark, type Metric } from './metric.ts';
import { launchProfileBrowser } from './profile-browser.ts';

const messageCount = 100_000;
const groupMessageCount = 20_000;
const openRuns = 15;
const searchRuns = 15;
/** Rows of the first page the app reads, to match in the bare IndexedDB baseline. */
const firstPageRows = 60;
const needle = 'Where did we put the spare lighthouse lens?';
const groupNeedle = 'The lighthouse keeper joins us on Friday';
/**
 * Queries and what they test. "loka" is one of the seeded vocabulary's 512 words, so about 1.5 %
 * of the messages contain it; typed without the space it is also the prefix of longer words.
 * "loka lolo" needs two such words in one message. "ka" begins 32 of the words, so about 40 %
 * of the messages match it.
 */
const queries = [
  { label: 'one rare word', query: 'lighthouse' },
  { label: 'one common word', query: 'loka ' },
  { label: 'one common word as typed', query: 'loka' },
  { label: 'two common words', query: 'loka lolo ' },
  { label: 'prefix in 40 % of messages', query: 'ka' },
];

interface Timings {
  samples: number[];
}

function median(samples: readonly number[]): number | null {
  return round(percentile(samples, 50), 2);
}

/** Times `runs` opens of the chat whose list button contains `chatName`, from the click until its newest message is in the DOM. */
async function timeOpens(page: Page, chatName: string, newestText: string, runs: number): Promise<Timings> {
  const samples: number[] = [];

  for (let run = 0; run < runs; run++) {
    await page.evaluate(() => (globalThis as unknown as { meshtext: { open(address: undefined): Promise<void> } }).meshtext.open(undefined));
    await messageLog(page).waitFor({ state: 'detached' });
    const elapsedMs = await page.evaluate(
      ({ chatName, newestText }) =>
        new Promise<number>((resolve, reject) => {
          const buttons = [...document.querySelectorAll<HTMLButtonElement>('nav[aria-label="Conversations"] button')];
          const button = buttons.find((candidate) => candidate.querySelector('.name')?.textContent?.trim() === chatName);
          if (!button) {
            reject(new Error(`no button for ${chatName} on screen`));
            return;
          }
          const isShown = (): boolean =>
            [...document.querySelectorAll('[role="log"] li')].some((item) => item.textContent?.includes(newestText));
          const startedAt = performance.now();
          const observer = new MutationObserver(() => {
            if (!isShown()) return;

            observer.disconnect();
            resolve(performance.now() - startedAt);
          });
          observer.observe(document.body, { subtree: true, childList: true, characterData: true });
          button.click();
        }),
      { chatName, newestText },
    );
    samples.push(elapsedMs);
  }

  return { samples };
}

/** Times a bare IndexedDB read of the newest page, and Dexie reading the whole history. */
async function timeBaselineReads(page: Page, conversation: string, runs: number): Promise<{ page: Timings; whole: Timings }> {
  return page.evaluate(
    async ({ conversation, runs, rows }) => {
      const open = (): Promise<IDBDatabase> =>
        new Promise((resolve, reject) => {
          const request = indexedDB.open('meshtext');
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
      const db = await open();
      const readPage = (): Promise<number> =>
        new Promise((resolve, reject) => {
          const index = db.transaction('messages').objectStore('messages').index('[conversation+storedAt]');
          const range = IDBKeyRange.bound([conversation, -Infinity], [conversation, Infinity]);
          const request = index.openCursor(range, 'prev');
          let count = 0;
          request.onsuccess = () => {
            const cursor = request.result;
            if (cursor && ++count < rows) cursor.continue();
            else resolve(count);
          };
          request.onerror = () => reject(request.error);
        });
      const readWhole = (): Promise<number> =>
        new Promise((resolve, reject) => {
          const index = db.transaction('messages').objectStore('messages').index('[conversation+storedAt]');
          const request = index.getAll(IDBKeyRange.bound([conversation, -Infinity], [conversation, Infinity]));
          request.onsuccess = () => resolve(request.result.length);
          request.onerror = () => reject(request.error);
        });
      const time = async (read: () => Promise<number>): Promise<number[]> => {
        const samples: number[] = [];
        for (let run = 0; run < runs; run++) {
          const startedAt = performance.now();
          await read();
          samples.push(performance.now() - startedAt);
        }

        return samples;
      };

      const pageSamples = await time(readPage);
      const wholeSamples = await time(readWhole);
      db.close();

      return { page: { samples: pageSamples }, whole: { samples: wholeSamples } };
    },
    { conversation, runs: Math.min(runs, 5), rows: firstPageRows },
  );
}

/** Types a query into the search box `runs` times and returns the app's search timings and the match count shown. */
async function timeSearches(page: Page, query: string, runs: number): Promise<{ timings: Timings; status: string }> {
  const box = page.getByRole('searchbox', { name: 'Search messages' });
  const status = page.getByRole('region', { name: 'Search results' }).getByRole('status');

  const samples: number[] = [];

  for (let run = 0; run < runs; run++) {
    await page.evaluate(() => performance.clearMeasures('meshtext:search'));
    await box.fill('');
    await box.fill(query);
    await page.waitForFunction(() => performance.getEntriesByName('meshtext:search').length > 0, undefined, { polling: 10 });
    const durations = await page.evaluate(() => performance.getEntriesByName('meshtext:search').map((measure) => measure.duration));
    samples.push(...durations.slice(0, 1));
  }

  return { timings: { samples }, status: (await status.textContent()) ?? '' };
}

/** Times the full-scan baseline: every stored message read and its text matched. */
async function timeFullScan(page: Page, word: string, runs: number): Promise<Timings> {
  return page.evaluate(
    async ({ word, runs }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open('meshtext');
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      const samples: number[] = [];
      for (let run = 0; run < runs; run++) {
        const startedAt = performance.now();
        for (const store of ['messages', 'groupMessages']) {
          await new Promise<number>((resolve, reject) => {
            const request = db.transaction(store).objectStore(store).getAll();
            request.onsuccess = () => resolve(request.result.filter((row: { text?: string }) => row.text?.toLowerCase().includes(word)).length);
            request.onerror = () => reject(request.error);
          });
        }
        samples.push(performance.now() - startedAt);
      }
      db.close();

      return { samples };
    },
    { word, runs: Math.min(runs, 5) },
  );
}

async function run(): Promise<Metric[]> {
  await ensureAppBuilt();
  const relay = await startRelay({ port: 0, host: '127.0.0.1', staticDir: distDir, iceServers: [], logger: silentLogger });
  const browser = await launchProfileBrowser({ viewport: { width: 1280, height: 800 } });

  try {
    const { page } = browser;
    // tsx compiles with esbuild's keepNames, whose __name calls travel into page.evaluate.
    await page.addInitScript('globalThis.__name = (target) => target;');
    const appUrl = relay.url.endsWith('/') ? relay.url : `${relay.url}/`;

    await createIdentity(page, appUrl, 'Alice');
    const seedStartedAt = performance.now();
    const seeded = await seedConversation(page, { contactName: 'Bob', count: messageCount, needles: { 31_337: needle } });
    const group = await createGroup(page, 'Lighthouse crew', ['Bob']);
    // The group's messages fall between the conversation's, five seconds apart.
    await seedGroupMessages(page, {
      group: group.id,
      senders: [group.ownAddress, ...group.memberAddresses],
      count: groupMessageCount,
      firstStoredAt: seeded.firstStoredAt + 500,
      spacingMs: 5000,
      needles: { 7_777: groupNeedle },
    });
    console.log(`bench: history seeded ${messageCount} + ${groupMessageCount} group messages in ${Math.round(performance.now() - seedStartedAt)} ms`);

    const groupOpens = await timeOpens(page, 'Lighthouse crew', `#${groupMessageCount - 1}`, openRuns);
    const newestText = `#${messageCount - 1}`;
    // The first open of Bob's chat also marks its unread messages read, after they are shown.
    const firstOpen = await timeOpens(page, 'Bob', newestText, 1);
    const opens = await timeOpens(page, 'Bob', newestText, openRuns);
    const baselines = await timeBaselineReads(page, seeded.address, openRuns);

    const metrics: Metric[] = [
      {
        name: `history: open ${messageCount} → newest shown, median`,
        value: median(opens.samples),
        unit: 'ms',
        baseline: median(baselines.page.samples),
        goal: '<= 50',
      },
      {
        name: `history: open ${messageCount} → newest shown, p95`,
        value: round(percentile(opens.samples, 95), 2),
        unit: 'ms',
        baseline: round(percentile(baselines.page.samples, 95), 2),
        goal: null,
      },
      {
        name: `history: first open of ${messageCount} → newest shown`,
        value: round(firstOpen.samples[0] ?? null, 2),
        unit: 'ms',
        baseline: null,
        goal: null,
      },
      {
        name: `history: open group of ${groupMessageCount} → newest shown, median`,
        value: median(groupOpens.samples),
        unit: 'ms',
        baseline: null,
        goal: '<= 50',
      },
      {
        name: `history: read whole history (before windowing), median`,
        value: median(baselines.whole.samples),
        unit: 'ms',
        baseline: null,
        goal: null,
      },
    ];

    for (const { label, query } of queries) {
      const { timings, status } = await timeSearches(page, query, searchRuns);
      const scan = await timeFullScan(page, query.trim().split(' ')[0] ?? query, searchRuns);
      console.log(`bench: history search "${query.trim()}" shows "${status}"`);
      metrics.push(
        { name: `history: search ${label}, median`, value: median(timings.samples), unit: 'ms', baseline: median(scan.samples), goal: '<= 100' },
        { name: `history: search ${label}, p95`, value: round(percentile(timings.samples, 95), 2), unit: 'ms', baseline: null, goal: '<= 100' },
      );
    }

    return metrics;
  } finally {
    await browser.close();
    await relay.close();
  }
}

export const historyBench: Benchmark = { name: 'history', run };
