/**
 * A stock PeerJS server (the `peer` package, without Meshtext's address ownership check) on
 * loopback. Baseline measurements use it so that they do not depend on the Meshtext relay.
 * Besides the PeerJS endpoints it serves an empty HTML page at `/`, which gives benchmark
 * pages an http origin on the same host.
 */

import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { PeerServer } from 'peer';
import type { RelayEndpoint } from '../e2e/raw-peerjs.ts';

/** A running plain relay. */
export interface PlainRelay {
  /** URL of the blank page, for example `http://127.0.0.1:43123/`. */
  url: string;
  endpoint: RelayEndpoint;
  close(): Promise<void>;
}

const relayPath = '/relay';
const relayKey = 'meshtext';
const blankPage = '<!doctype html><meta charset="utf-8"><title>bench</title>';

/** Starts a plain PeerJS server on 127.0.0.1 at a free port. */
export async function startPlainRelay(): Promise<PlainRelay> {
  const host = '127.0.0.1';
  const sockets = new Set<Socket>();
  let app: ReturnType<typeof PeerServer> | undefined;

  const server = await new Promise<Server>((resolve) => {
    app = PeerServer({ host, port: 0, path: relayPath, key: relayKey }, (listening) => resolve(listening as Server));
  });
  app?.get('/', (_request, response) => response.type('html').send(blankPage));

  // WebSocket connections are not closed by server.close(), so they are tracked and destroyed.
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('plain relay has no TCP address');

  return {
    url: `http://${host}:${address.port}/`,
    endpoint: { host, port: address.port, path: relayPath, key: relayKey },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
