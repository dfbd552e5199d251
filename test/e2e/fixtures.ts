/**
 * Playwright fixtures for peer scenarios: every test gets its own relay on a free loopback
 * port, serving the built app from dist/, and opens as many named browsers as it needs.
 *
 * Each browser is a persistent Chromium context with a profile folder of its own, because an
 * ordinary context is incognito and loses IndexedDB and service workers when it closes. A test
 * can therefore close a user's browser, or kill it, and reopen it with the same data.
 */

import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as base, chromium, type BrowserContext, type LaunchOptions, type Page } from '@playwright/test';
import type { RelayLimits } from '../../signaling/relay-limits.ts';
import { silentLogger, startRelay } from '../../signaling/server.ts';
import { isMissingFaviconMessage } from './chromium.ts';

export { expect } from '@playwright/test';

/** Relay settings a test file may change with `test.use({ relayOptions })`. */
export interface RelayOptions {
  /** Accept PeerJS clients that do not prove they own their address, as raw PeerJS tests need. */
  skipOwnershipCheck?: boolean;
  /** PEM certificate and key: the relay then serves HTTPS and WSS. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Relay limits to override, for example a mailbox that rejects every envelope. */
  limits?: Partial<RelayLimits>;
}

/** A relay started for one test. */
export interface TestRelay {
  /** Origin of the relay with a trailing slash, where the app is served. */
  url: string;
  port: number;
  /** Stops the relay, waits `downtimeMs`, and starts it again on the same port and data folder. */
  restart?(downtimeMs: number): Promise<void>;
}

const distDir = fileURLToPath(new URL('../../dist', import.meta.url));
const browserCloseTimeoutMs = 10_000;
/** `MESHTEXT_E2E_CONSOLE=all` prints every console line of the test browsers, not only problems. */
const printsAllConsole = process.env.MESHTEXT_E2E_CONSOLE === 'all';

/**
 * Throws unless dist/ contains a built app. Without it the relay serves only a note, and every
 * UI step would time out with a less helpful message.
 */
export function assertAppBuilt(): void {
  if (!existsSync(path.join(distDir, 'index.html'))) {
    throw new Error(`app not built: ${distDir}/index.html is missing. Run \`npm run build\` or \`npm run test:e2e\`.`);
  }
}

/**
 * One user's browser. `page` is the first tab of the current Chromium process, so it changes
 * after `reopen`.
 */
export class TestBrowser {
  readonly name: string;
  readonly profileDir: string;
  readonly #launchOptions: LaunchOptions;
  #context: BrowserContext | null = null;

  constructor(name: string, profileDir: string, launchOptions: LaunchOptions) {
    this.name = name;
    this.profileDir = profileDir;
    this.#launchOptions = launchOptions;
  }

  get isOpen(): boolean {
    return this.#context !== null;
  }

  get context(): BrowserContext {
    if (!this.#context) throw new Error(`browser ${this.name} is closed`);

    return this.#context;
  }

  get page(): Page {
    const page = this.context.pages()[0];
    if (!page) throw new Error(`browser ${this.name} has no open page`);

    return page;
  }

  /** Starts Chromium on this browser's profile folder and returns its first page. */
  async launch(): Promise<Page> {
    if (this.#context) throw new Error(`browser ${this.name} is already open`);

    const context = await chromium.launchPersistentContext(this.profileDir, this.#launchOptions);
    this.#context = context;
    context.on('close', () => {
      if (this.#context === context) this.#context = null;
    });
    this.#logProblems(context);

    return context.pages()[0] ?? (await context.newPage());
  }

  /** Closes the browser the way a user quits it, keeping the profile. */
  async close(): Promise<void> {
    const context = this.#context;
    if (!context) return;

    this.#context = null;
    await context.close();
  }

  /** Starts the browser again on the same profile, as a user coming back later. */
  async reopen(): Promise<Page> {
    await this.close();

    return this.launch();
  }

  /**
   * Ends the browser process with SIGKILL, as a crash or power loss would: no page runs unload
   * handlers and the browser gets no chance to shut down cleanly. The profile is kept for
   * `reopen`.
   */
  async kill(): Promise<void> {
    const context = this.#context;
    if (!context) return;

    const pid = await findBrowserPid(this.profileDir);
    const closed = new Promise<void>((resolve) => context.once('close', () => resolve()));
    this.#context = null;
    process.kill(pid, 'SIGKILL');
    await withTimeout(closed, browserCloseTimeoutMs, `browser ${this.name} did not report closing after SIGKILL`);
  }

  #logProblems(context: BrowserContext): void {
    context.on('console', (message) => {
      const type = message.type();
      const isProblem = type === 'error' || type === 'warning';
      if ((isProblem || printsAllConsole) && !isMissingFaviconMessage(message)) {
        console.log(`[${this.name}] console.${type}: ${message.text()}`);
      }
    });
    context.on('weberror', (webError) => {
      console.log(`[${this.name}] uncaught error: ${webError.error().stack ?? webError.error().message}`);
    });
    context.on('page', (page) => {
      page.on('crash', () => console.log(`[${this.name}] page crashed: ${page.url()}`));
    });
  }
}

/**
 * Finds the main Chromium process started for a profile folder: the one whose command line
 * contains `--user-data-dir=<profileDir>` and no `--type=` switch, which helper processes have.
 * Playwright does not expose the process of a persistent context, hence the search in /proc.
 * @throws Error when not on Linux or when no such process runs.
 */
async function findBrowserPid(profileDir: string): Promise<number> {
  if (process.platform !== 'linux') throw new Error('kill() needs /proc, which only Linux has');

  const profileArg = `--user-data-dir=${profileDir}`;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;

    let args: string[];
    try {
      args = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).split('\0');
    } catch {
      continue; // The process ended while the folder was being read.
    }
    if (args.includes(profileArg) && !args.some((arg) => arg.startsWith('--type='))) return Number(entry);
  }

  throw new Error(`no Chromium process found for profile ${profileDir}`);
}

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), timeoutMs);
  });

  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

interface Fixtures {
  relayOptions: RelayOptions;
  relay: TestRelay;
  /** Launches a new browser with an empty profile. Its console output is prefixed with `name`. */
  openBrowser: (name: string) => Promise<TestBrowser>;
}

export const test = base.extend<Fixtures>({
  relayOptions: [{}, { option: true }],

  relay: async ({ relayOptions }, use) => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'meshtext-e2e-relay-'));
    const start = (port: number) =>
      startRelay({
        port,
        host: '127.0.0.1',
        staticDir: distDir,
        dataDir,
        iceServers: [],
        logger: silentLogger,
        ...relayOptions,
      });
    let relay = await start(0);
    const port = relay.port;

    await use({
      url: relay.url.endsWith('/') ? relay.url : `${relay.url}/`,
      port,
      restart: async (downtimeMs) => {
        await relay.close();
        await new Promise((resolve) => setTimeout(resolve, downtimeMs));
        relay = await start(port);
      },
    });
    await relay.close();
    await rm(dataDir, { recursive: true, force: true });
  },

  // Depends on `relay` so that browsers close before their relay does.
  openBrowser: async ({ relay: _relay, launchOptions, headless }, use) => {
    const browsers: TestBrowser[] = [];

    await use(async (name) => {
      const profileDir = await mkdtemp(path.join(tmpdir(), `meshtext-e2e-${name}-`));
      const browser = new TestBrowser(name, profileDir, { ...launchOptions, headless });
      browsers.push(browser);
      await browser.launch();

      return browser;
    });

    for (const browser of browsers) {
      try {
        await browser.close();
      } catch (error) {
        console.log(`[${browser.name}] closing failed: ${String(error)}`);
      }
      await rm(browser.profileDir, { recursive: true, force: true });
    }
  },
});
