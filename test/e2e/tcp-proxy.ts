/**
 * A TCP proxy on loopback between a browser and the relay, to break the connection the way a
 * network does: `cut` resets every open connection, and `freeze` keeps the open WebSockets
 * connected but stops moving their bytes, which leaves the relay holding half-open sockets.
 * New connections after a freeze pass normally. Playwright's offline mode cannot do either, since it does not touch
 * WebSockets that are already open.
 */

import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  /** Origin of the proxy with a trailing slash, e.g. http://127.0.0.1:41234/. */
  url: string;
  /** Resets every connection passing through the proxy now. */
  cut(): void;
  /** Stops forwarding on the WebSocket connections open now, without closing them. */
  freeze(): void;
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
  isWebSocket: boolean;
}

/** Starts a proxy on 127.0.0.1 that forwards to `targetPort` on 127.0.0.1. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  const frozen = new Set<Pair>();
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort });
    const pair: Pair = { client, upstream, isWebSocket: false };
    pairs.add(pair);
    client.once('data', (head: Buffer) => {
      pair.isWebSocket = /^upgrade:\s*websocket/im.test(head.toString('latin1'));
    });

    client.pipe(upstream);
    upstream.pipe(client);
    const forget = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', forget);
    upstream.on('error', forget);
    client.on('close', forget);
    upstream.on('close', forget);
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/`,
    cut: () => {
      for (const { client, upstream } of pairs) {
        client.resetAndDestroy();
        upstream.resetAndDestroy();
      }
      pairs.clear();
    },
    freeze: () => {
      for (const pair of [...pairs]) {
        if (!pair.isWebSocket) continue;
        pair.client.unpipe(pair.upstream);
        pair.upstream.unpipe(pair.client);
        pair.client.pause();
        pair.upstream.pause();
        pairs.delete(pair);
        frozen.add(pair);
      }
    },
    close: async () => {
      for (const { client, upstream } of [...pairs, ...frozen]) {
        client.destroy();
        upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
