/**
 * The Meshtext relay against a stock PeerServer (package `peer`), both on 127.0.0.1 and each in
 * its own child process (relay-bench-server.ts) so that its memory is measured alone:
 *
 * - OFFER forwarding rate: one registered client sends OFFER messages to another, with at most
 *   1000 not yet arrived, so that neither side buffers without bound. The rate is messages
 *   over the time from the first send to the last arrival. After a warm-up, both servers run five
 *   rounds in turn and the median counts, so that changes in the machine's load hit both.
 * - Concurrent connections: client processes (relay-bench-clients.ts) open and hold PeerJS
 *   sockets from several 127.x source addresses; Meshtext clients fetch a challenge and
 *   prove their address as the app does. Plain PeerJS clients use ids of the same length, so
 *   both servers handle messages of the same size. Memory per peer is the growth of the server's
 *   resident set (and of its V8 heap plus external memory) after garbage collection, divided
 *   by the sockets still open.
 * - Mailbox: stores of 1 KiB envelopes over one authenticated control socket with 64 in
 *   flight, stores one at a time (each waits for its fsync), then fetch and delete in pages of
 *   100. The data directory is in os.tmpdir(), so the figures depend on that disk.
 *
 * The Meshtext relay runs with its rate limits raised, since they would otherwise cap these
 * figures; memory does not depend on them. Settings (environment):
 * - RELAY_BENCH_PEERS: connections per server (default 5000). Each server process needs one
 *   file descriptor per connection, so `ulimit -n` bounds it (about 19 000 with 20 000).
 * - RELAY_BENCH_CLIENT_PROCESSES: client processes (default 4).
 * - RELAY_BENCH_OFFERS: OFFER messages per forwarding round (default 50 000).
 * - RELAY_BENCH_ENVELOPES: envelopes in the mailbox run (default 5000).
 *
 * Every phase has a deadline, so the benchmark stops by itself.
 */

import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WebSocket } from 'ws';
import { percentile, round, type Benchmark, type Metric } from './metric.ts';
import type { ClientsReport } from './relay-bench-clients.ts';
import { createBenchIdentity, openControlSocket, openPeerSocket, type ServerKind, type ServerMemory } from './relay-bench-peer.ts';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

const peerCount = readCount('RELAY_BENCH_PEERS', 5_000);
const clientProcessCount = readCount('RELAY_BENCH_CLIENT_PROCESSES', 4);
const offerCount = readCount('RELAY_BENCH_OFFERS', 50_000);
const envelopeCount = readCount('RELAY_BENCH_ENVELOPES', 5_000);

const warmupOffers = 1_000;
const forwardingRounds = 5;
const offersInFlight = 1_000;
const sourceAddressesPerProcess = 4;
const opensInFlightPerProcess = 50;
const connectDeadlineMs = 240_000;
const forwardingTimeoutMs = 60_000;
const mailboxTimeoutMs = 120_000;
const settleMs = 2_000;
const storesInFlight = 64;
const sequentialStores = 200;
const envelopeBytes = 1024;
const memoryGoalRatio = 1.25;
const forwardingGoalRatio = 0.9;

/** A server child process. */
interface ServerProcess {
  port: number;
  memory(): Promise<ServerMemory>;
  close(): Promise<void>;
}

/** Figures of one server kind. */
interface KindResult {
  connected: number;
  rssPerPeer: number | null;
  heapPerPeer: number | null;
  errors: Record<string, number>;
}

function readCount(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;

  const count = Number(value);
  if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`invalid ${name} ${JSON.stringify(value)}: expected a positive integer`);

  return count;
}

function forkTs(script: string, args: string[]): ChildProcess {
  return fork(path.join(benchDir, script), args, {
    cwd: repoRoot,
    execArgv: ['--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** Resolves with the next IPC message of `type` from `child`, or rejects after `timeoutMs` or when it exits. */
function nextChildMessage<T>(child: ChildProcess, type: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type: string }): void => {
      if (message.type !== type) return;
      cleanUp();
      resolve(message as T);
    };
    const onExit = (code: number | null): void => {
      cleanUp();
      reject(new Error(`child exited with ${String(code)} before sending ${type}`));
    };
    const timer = setTimeout(() => {
      cleanUp();
      reject(new Error(`no ${type} from child within ${timeoutMs} ms`));
    }, timeoutMs);
    const cleanUp = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

async function startServer(kind: ServerKind, maxPeers: number, dataDir: string): Promise<ServerProcess> {
  const child = forkTs('relay-bench-server.ts', [kind, String(maxPeers), dataDir]);
  const { port } = await nextChildMessage<{ port: number }>(child, 'ready', 30_000);

  return {
    port,
    async memory() {
      const reply = nextChildMessage<{ memory: ServerMemory }>(child, 'memory', 30_000);
      child.send({ type: 'memory' });

      return (await reply).memory;
    },
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'close' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Two registered clients of one server, one sending OFFERs to the other. */
interface ForwardingPair {
  /** Relays `count` OFFERs and resolves with the rate in messages per second. */
  relayOffers(count: number): Promise<number>;
  close(): void;
}

async function openForwardingPair(kind: ServerKind, port: number): Promise<ForwardingPair> {
  const sender = await openPeerSocket(kind, port, '127.0.0.1');
  const receiver = await openPeerSocket(kind, port, '127.0.0.1');
  const payload = { sdp: { type: 'offer', sdp: 'v=0 '.padEnd(200, 'x') }, type: 'data', connectionId: 'dc_bench' };
  const message = JSON.stringify({ type: 'OFFER', dst: receiver.id, payload });

  // Keeps at most `offersInFlight` unanswered, so neither side buffers without bound.
  const relayOffers = (count: number): Promise<number> =>
    new Promise((resolve, reject) => {
      let sent = 0;
      let received = 0;
      const startedAt = performance.now();
      const timer = setTimeout(() => reject(new Error(`${received} of ${count} OFFERs arrived within ${forwardingTimeoutMs} ms`)), forwardingTimeoutMs);
      const fill = (): void => {
        while (sent < count && sent - received < offersInFlight) {
          sender.socket.send(message);
          sent += 1;
        }
      };
      const onMessage = (): void => {
        received += 1;
        if (received < count) {
          if (sent - received <= offersInFlight / 2) fill();
          return;
        }
        clearTimeout(timer);
        receiver.socket.off('message', onMessage);
        resolve(count / ((performance.now() - startedAt) / 1000));
      };
      receiver.socket.on('message', onMessage);
      fill();
    });

  return {
    relayOffers,
    close() {
      sender.socket.terminate();
      receiver.socket.terminate();
    },
  };
}

/**
 * Measures OFFER forwarding of both servers in alternating rounds, so that a change in the
 * machine's load during the run affects both alike, and returns the median rate of each.
 */
async function measureForwarding(): Promise<Record<ServerKind, number | null>> {
  const kinds: ServerKind[] = ['peerjs', 'meshtext'];
  const dataDir = await mkdtemp(path.join(tmpdir(), 'meshtext-bench-forwarding-'));
  const servers = new Map<ServerKind, ServerProcess>();
  const pairs = new Map<ServerKind, ForwardingPair>();
  const rates = new Map<ServerKind, number[]>(kinds.map((kind) => [kind, []]));

  try {
    for (const kind of kinds) {
      const server = await startServer(kind, 10, dataDir);
      servers.set(kind, server);
      const pair = await openForwardingPair(kind, server.port);
      pairs.set(kind, pair);
      await pair.relayOffers(warmupOffers);
    }

    for (let round = 0; round < forwardingRounds; round++) {
      const order = round % 2 === 0 ? kinds : [...kinds].reverse();
      for (const kind of order) rates.get(kind)?.push(await (pairs.get(kind) as ForwardingPair).relayOffers(offerCount));
    }
  } finally {
    for (const pair of pairs.values()) pair.close();
    for (const server of servers.values()) await server.close();
    await rm(dataDir, { recursive: true, force: true });
  }

  return { peerjs: percentile(rates.get('peerjs') ?? [], 50), meshtext: percentile(rates.get('meshtext') ?? [], 50) };
}

async function holdConnections(kind: ServerKind, port: number, count: number): Promise<{ clients: ChildProcess[]; reports: ClientsReport[] }> {
  const clients: ChildProcess[] = [];
  const perProcess = Math.ceil(count / clientProcessCount);

  for (let processIndex = 0; processIndex < clientProcessCount; processIndex++) {
    const share = Math.min(perProcess, count - processIndex * perProcess);
    if (share <= 0) break;

    const sources = Array.from({ length: sourceAddressesPerProcess }, (_, index) => `127.0.${processIndex + 1}.${index + 2}`);
    clients.push(forkTs('relay-bench-clients.ts', [kind, String(port), String(share), sources.join(','), String(opensInFlightPerProcess), String(connectDeadlineMs)]));
  }

  const reports = await Promise.all(clients.map((child) => nextChildMessage<ClientsReport>(child, 'opened', connectDeadlineMs + 60_000)));

  return { clients, reports };
}

async function countOpen(clients: ChildProcess[]): Promise<number> {
  const counts = await Promise.all(
    clients.map((child) => {
      const reply = nextChildMessage<{ open: number }>(child, 'count', 30_000);
      child.send({ type: 'count' });

      return reply;
    }),
  );

  return counts.reduce((sum, reply) => sum + reply.open, 0);
}

async function closeClients(clients: ChildProcess[]): Promise<void> {
  await Promise.all(
    clients.map((child) => {
      if (child.exitCode !== null) return Promise.resolve();

      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'close' });

      return exited;
    }),
  );
}

async function measureKind(kind: ServerKind): Promise<KindResult> {
  const dataDir = await mkdtemp(path.join(tmpdir(), `meshtext-bench-${kind}-`));
  const server = await startServer(kind, peerCount + 10, dataDir);
  let clients: ChildProcess[] = [];

  try {
    console.log(`bench: relay ${kind}: opening ${peerCount} connections`);

    const before = await server.memory();
    const held = await holdConnections(kind, server.port, peerCount);
    clients = held.clients;
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    const connected = await countOpen(clients);
    const after = await server.memory();
    const failed = held.reports.reduce((sum, report) => sum + report.failed, 0);
    const errors: Record<string, number> = {};
    for (const [message, count] of held.reports.flatMap((report) => Object.entries(report.errors))) errors[message] = (errors[message] ?? 0) + count;
    console.log(`bench: relay ${kind}: ${connected} connections held, ${failed} failed${failed === 0 ? '' : ` ${JSON.stringify(errors)}`}`);

    return {
      connected,
      rssPerPeer: connected > 0 ? (after.rss - before.rss) / connected : null,
      heapPerPeer: connected > 0 ? (after.heapUsed + after.external - before.heapUsed - before.external) / connected : null,
      errors,
    };
  } finally {
    await closeClients(clients);
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Sends mailbox requests and resolves replies by request id. */
function createRequester(socket: WebSocket): (request: Record<string, unknown>) => Promise<Record<string, unknown>> {
  const waiting = new Map<string, (reply: Record<string, unknown>) => void>();
  let counter = 0;

  socket.on('message', (data) => {
    const reply = JSON.parse(String(data)) as Record<string, unknown>;
    const resolve = typeof reply.requestId === 'string' ? waiting.get(reply.requestId) : undefined;
    if (resolve === undefined) return;
    waiting.delete(reply.requestId as string);
    resolve(reply);
  });

  return (request) => {
    const requestId = `b${++counter}`;
    const reply = new Promise<Record<string, unknown>>((resolve) => waiting.set(requestId, resolve));
    socket.send(JSON.stringify({ ...request, requestId }));

    return reply;
  };
}

async function withTimeout<T>(work: Promise<T>, timeoutMs: number, label: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label} did not finish within ${timeoutMs} ms`)), timeoutMs);
  });

  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function measureMailbox(): Promise<{ storesPerSecond: number; sequentialP50Ms: number | null; fetchedPerSecond: number }> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'meshtext-bench-mailbox-'));
  const server = await startServer('meshtext', 100, dataDir);
  const bob = createBenchIdentity();
  const envelope = Buffer.alloc(envelopeBytes, 7).toString('base64url');

  try {
    const alice = await openControlSocket(server.port, createBenchIdentity());
    const aliceRequest = createRequester(alice);
    const put = (): Promise<Record<string, unknown>> => aliceRequest({ type: 'mailbox-put', to: bob.address, envelope });

    const sequentialMs: number[] = [];
    await withTimeout(
      (async () => {
        for (let index = 0; index < sequentialStores; index++) {
          const startedAt = performance.now();
          const reply = await put();
          if (reply.type !== 'mailbox-stored') throw new Error(`store failed: ${JSON.stringify(reply)}`);
          sequentialMs.push(performance.now() - startedAt);
        }
      })(),
      mailboxTimeoutMs,
      'sequential mailbox stores',
    );

    const storeStartedAt = performance.now();
    await withTimeout(
      (async () => {
        let sent = 0;
        const lane = async (): Promise<void> => {
          while (sent < envelopeCount) {
            sent += 1;
            const reply = await put();
            if (reply.type !== 'mailbox-stored') throw new Error(`store failed: ${JSON.stringify(reply)}`);
          }
        };
        await Promise.all(Array.from({ length: storesInFlight }, lane));
      })(),
      mailboxTimeoutMs,
      'mailbox stores',
    );
    const storesPerSecond = envelopeCount / ((performance.now() - storeStartedAt) / 1000);
    alice.terminate();

    const bobSocket = await openControlSocket(server.port, bob);
    const bobRequest = createRequester(bobSocket);
    const fetchStartedAt = performance.now();
    let fetched = 0;
    await withTimeout(
      (async () => {
        for (;;) {
          const reply = await bobRequest({ type: 'mailbox-fetch', limit: 100 });
          const ids = (reply.envelopes as { id: string }[]).map((stored) => stored.id);
          if (ids.length === 0) return;
          fetched += ids.length;
          await bobRequest({ type: 'mailbox-delete', ids });
        }
      })(),
      mailboxTimeoutMs,
      'mailbox fetch',
    );
    const fetchedPerSecond = fetched / ((performance.now() - fetchStartedAt) / 1000);
    bobSocket.terminate();

    return { storesPerSecond, sequentialP50Ms: percentile(sequentialMs, 50), fetchedPerSecond };
  } finally {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function runRelayBench(): Promise<Metric[]> {
  const forwarding = await measureForwarding();
  console.log(`bench: relay OFFER forwarding: ${JSON.stringify(forwarding)} msg/s`);
  const baseline = await measureKind('peerjs');
  const relay = await measureKind('meshtext');
  const mailbox = await measureMailbox();
  const kib = (bytes: number | null): number | null => round(bytes === null ? null : bytes / 1024, 2);
  const atMost = (value: number | null): string | null => (value === null ? null : `<= ${round(value * memoryGoalRatio, 2)}`);

  return [
    { name: 'relay concurrent peers held', value: relay.connected, unit: 'peers', baseline: baseline.connected, goal: `>= ${peerCount}` },
    { name: 'relay memory per peer (RSS)', value: kib(relay.rssPerPeer), unit: 'KiB', baseline: kib(baseline.rssPerPeer), goal: atMost(kib(baseline.rssPerPeer)) },
    { name: 'relay memory per peer (heap+external)', value: kib(relay.heapPerPeer), unit: 'KiB', baseline: kib(baseline.heapPerPeer), goal: atMost(kib(baseline.heapPerPeer)) },
    {
      name: 'relay OFFER forwarding',
      value: round(forwarding.meshtext, 0),
      unit: 'msg/s',
      baseline: round(forwarding.peerjs, 0),
      goal: forwarding.peerjs === null ? null : `>= ${round(forwarding.peerjs * forwardingGoalRatio, 0)}`,
    },
    { name: 'relay mailbox stores, 64 in flight', value: round(mailbox.storesPerSecond, 0), unit: 'envelopes/s', baseline: null, goal: null },
    { name: 'relay mailbox store latency p50, one at a time', value: round(mailbox.sequentialP50Ms, 2), unit: 'ms', baseline: null, goal: null },
    { name: 'relay mailbox fetch+delete', value: round(mailbox.fetchedPerSecond, 0), unit: 'envelopes/s', baseline: null, goal: null },
  ];
}

/** The relay benchmark, for test/bench/run.ts. */
export const relayBench: Benchmark = { name: 'relay', run: runRelayBench };
