/**
 * Child process of the relay benchmark that runs one server on 127.0.0.1, so its memory can
 * be measured apart from the clients. Started by relay.bench.ts with `fork`, `--import tsx`
 * and `--expose-gc`.
 *
 * argv: KIND MAX_PEERS DATA_DIR, where KIND is `meshtext` (this relay, rate limits raised so
 * they do not cap the measurement) or `peerjs` (a stock PeerServer from the `peer` package).
 *
 * IPC: sends `{type:'ready', port}` once listening; replies to `{type:'memory'}` with the memory
 * usage after two full garbage collections; `{type:'close'}` closes the server and exits. The
 * process also exits when its parent goes away.
 */

import type { Server } from 'node:http';
import { PeerServer } from 'peer';
import { silentLogger, startRelay } from '../../signaling/server.ts';
import { PEERJS_KEY, PEERJS_PATH, type ServerKind, type ServerMemory } from './relay-bench-peer.ts';

const UNLIMITED = { ratePerSecond: 1e9, burst: 1e9 };

async function startServer(kind: ServerKind, maxPeers: number, dataDir: string): Promise<{ port: number; close: () => Promise<void> }> {
  if (kind === 'meshtext') {
    const relay = await startRelay({
      port: 0,
      host: '127.0.0.1',
      logger: silentLogger,
      concurrentLimit: maxPeers,
      dataDir,
      limits: {
        peerMessages: UNLIMITED,
        controlMessages: UNLIMITED,
        mailboxPuts: UNLIMITED,
        challenges: UNLIMITED,
        mailboxMaxEnvelopes: 1_000_000,
        mailboxMaxBytes: 4 * 1024 ** 3,
        maxPendingStores: 100_000,
      },
    });

    return { port: relay.port, close: relay.close };
  }

  const server = await new Promise<Server>((resolve) => {
    PeerServer({ host: '127.0.0.1', port: 0, path: PEERJS_PATH, key: PEERJS_KEY, concurrent_limit: maxPeers }, (listening) => resolve(listening as Server));
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('PeerServer has no TCP address');

  return { port: address.port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function measureMemory(): ServerMemory {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) throw new Error('run with --expose-gc');

  collect();
  collect();
  const usage = process.memoryUsage();

  return { rss: usage.rss, heapUsed: usage.heapUsed, external: usage.external };
}

const [kind, maxPeersText, dataDir] = process.argv.slice(2);
if ((kind !== 'meshtext' && kind !== 'peerjs') || maxPeersText === undefined || dataDir === undefined) {
  throw new Error('usage: relay-bench-server.ts meshtext|peerjs MAX_PEERS DATA_DIR');
}

const server = await startServer(kind, Number(maxPeersText), dataDir);
process.on('disconnect', () => process.exit(0));
process.on('message', (message: { type: string }) => {
  if (message.type === 'memory') process.send?.({ type: 'memory', memory: measureMemory() });
  if (message.type === 'close') {
    // NOTE: the peer package (1.0.2) keeps interval timers alive after close, so exit explicitly.
    void server.close().finally(() => process.exit(0));
  }
});
process.send?.({ type: 'ready', port: server.port });
