/**
 * Child process of the relay benchmark that opens and keeps open many PeerJS client sockets to a
 * server on 127.0.0.1. Several of these run at once, so no single process hits its own
 * open-file limit. Each binds its sockets to a list of 127.x source addresses in turn, which
 * spreads them over more source ports than one address has.
 *
 * argv: KIND PORT COUNT SOURCE_ADDRESSES CONCURRENCY DEADLINE_MS
 * - KIND `meshtext`: each client fetches a challenge and registers with a signed proof, as
 *   the app does. `peerjs`: each client registers with a random id and token.
 * - SOURCE_ADDRESSES: comma-separated loopback addresses such as 127.0.0.2,127.0.0.3.
 * - DEADLINE_MS: opening stops after this long, opened or not.
 *
 * IPC: sends `{type:'opened', opened, failed, errors}` once every client is open or the
 * deadline passed, then holds the sockets (sending a HEARTBEAT every 15 s, as PeerJS does more
 * often). Answers `{type:'count'}` with `{type:'count', open}`, the sockets still open, and
 * closes them and exits on `{type:'close'}` or when its parent goes away.
 */

import http from 'node:http';
import { WebSocket } from 'ws';
import { openPeerSocket, type ServerKind } from './relay-bench-peer.ts';

const HEARTBEAT_INTERVAL_MS = 15_000;

/** Progress report sent to the parent. */
export interface ClientsReport {
  type: 'opened';
  opened: number;
  failed: number;
  /** Number of failures per error message. */
  errors: Record<string, number>;
}

const [kind, portText, countText, sourcesText, concurrencyText, deadlineText] = process.argv.slice(2);
if ((kind !== 'meshtext' && kind !== 'peerjs') || [portText, countText, sourcesText, concurrencyText, deadlineText].includes(undefined)) {
  throw new Error('usage: relay-bench-clients.ts KIND PORT COUNT SOURCE_ADDRESSES CONCURRENCY DEADLINE_MS');
}

const serverKind: ServerKind = kind;
const port = Number(portText);
const count = Number(countText);
const sourceAddresses = (sourcesText ?? '').split(',');
const concurrency = Number(concurrencyText);
const deadline = Date.now() + Number(deadlineText);
const sockets: WebSocket[] = [];
const agents = new Map(sourceAddresses.map((address) => [address, new http.Agent({ keepAlive: true, maxSockets: 8 })]));

async function openClient(index: number): Promise<void> {
  const localAddress = sourceAddresses[index % sourceAddresses.length] ?? '127.0.0.1';
  const { socket } = await openPeerSocket(serverKind, port, localAddress, agents.get(localAddress));

  sockets.push(socket);
}

async function openAll(): Promise<ClientsReport> {
  let next = 0;
  let failed = 0;
  const errors: Record<string, number> = {};

  const worker = async (): Promise<void> => {
    while (next < count && Date.now() < deadline) {
      const index = next++;
      try {
        await openClient(index);
      } catch (error) {
        failed += 1;
        const message = error instanceof Error ? error.message : String(error);
        errors[message] = (errors[message] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));

  return { type: 'opened', opened: sockets.length, failed, errors };
}

process.on('disconnect', () => process.exit(0));
process.on('message', (message: { type: string }) => {
  if (message.type === 'count') {
    process.send?.({ type: 'count', open: sockets.filter((socket) => socket.readyState === WebSocket.OPEN).length });
    return;
  }
  if (message.type !== 'close') return;
  for (const socket of sockets) socket.terminate();
  process.exit(0);
});

const report = await openAll();
const heartbeat = setInterval(() => {
  for (const socket of sockets) if (socket.readyState === WebSocket.OPEN) socket.send('{"type":"HEARTBEAT"}');
}, HEARTBEAT_INTERVAL_MS);
heartbeat.unref();
process.send?.(report);
