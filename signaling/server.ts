/**
 * The Meshtext relay: one HTTP server on one port that serves the built PWA, the relay API,
 * the PeerJS signaling socket behind an address ownership check, and the control socket that
 * reports presence.
 *
 * Routes:
 * - GET /health, GET /relay/challenge, GET /relay/config (api-routes.ts)
 * - WebSocket /relay/peerjs?key=...&id=...&token=... (PeerJS, checked by peer-gate.ts)
 * - WebSocket /relay/control (control.ts)
 * - everything else: the static app (static.ts)
 */

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import express, { type ErrorRequestHandler } from 'express';
import { createApiRouter } from './api-routes.ts';
import { createChallengeStore } from './challenge-store.ts';
import { createControlServer } from './control.ts';
import { MAX_WATCHED_ADDRESSES } from './control-protocol.ts';
import { createJsonLogger, describeError, type Logger } from './logger.ts';
import { createPeerGate } from './peer-gate.ts';
import { mountPeerServer } from './peer-server.ts';
import { createPresenceRegistry } from './presence-registry.ts';
import { DEFAULT_CONCURRENT_LIMIT, DEFAULT_PEER_KEY, validateRelayOptions, type RelayOptions } from './relay-options.ts';
import { createStaticRouter } from './static.ts';

export type { IceServer, RelayOptions } from './relay-options.ts';
export { createJsonLogger, silentLogger, type Logger } from './logger.ts';
export { PEER_ALIVE_TIMEOUT_MS } from './peer-server.ts';

/** Handle of a listening relay. */
export interface RunningRelay {
  /** Base URL, for example http://127.0.0.1:8080. */
  url: string;
  /** Port the relay listens on, useful when the options requested port 0. */
  port: number;
  /** Closes every socket and stops listening. Calling it again returns the same promise. */
  close(): Promise<void>;
}

/** Maximum size of one WebSocket message from a PeerJS client (ws defaults to 100 MiB). */
export const MAX_PEER_MESSAGE_BYTES = 64 * 1024;

/**
 * Maximum size of one control message: room for a watch list of the maximum length, at up to
 * 64 bytes per quoted address, plus 1 KiB for the rest of the message.
 */
export const MAX_CONTROL_MESSAGE_BYTES = MAX_WATCHED_ADDRESSES * 64 + 1024;

const CONTROL_SOCKET_PATH = '/relay/control';

/**
 * Starts a relay and resolves once it listens.
 * @throws TypeError or RangeError on invalid options. Rejects with the listen error when the
 *   port cannot be bound, for example EADDRINUSE.
 */
export async function startRelay(options: RelayOptions): Promise<RunningRelay> {
  const iceServers = validateRelayOptions(options);
  const logger = options.logger ?? createJsonLogger();
  const concurrentLimit = options.concurrentLimit ?? DEFAULT_CONCURRENT_LIMIT;
  const peerKey = options.peerKey ?? DEFAULT_PEER_KEY;
  const challenges = createChallengeStore();
  const registry = createPresenceRegistry();

  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);

  const gate = createPeerGate({
    peerKey,
    challenges,
    registry,
    maxPayloadBytes: MAX_PEER_MESSAGE_BYTES,
    logger,
    skipOwnershipCheck: options.skipOwnershipCheck ?? false,
  });
  const control = createControlServer({
    registry,
    logger,
    maxPayloadBytes: MAX_CONTROL_MESSAGE_BYTES,
    maxSockets: concurrentLimit,
  });

  app.use(createApiRouter({ challenges, registry, iceServers, startedAtMs: Date.now() }));
  const peerSocketPath = mountPeerServer({
    app,
    httpServer,
    gate,
    registry,
    logger,
    peerKey,
    concurrentLimit,
  });
  app.use(createStaticRouter(options.staticDir, logger));
  app.use(createErrorHandler(logger));

  httpServer.on('upgrade', (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = new URL(request.url ?? '/', 'http://relay.invalid').pathname;

    if (pathname === peerSocketPath) {
      gate.handleUpgrade(request, socket, head);
    } else if (pathname === CONTROL_SOCKET_PATH) {
      control.handleUpgrade(request, socket, head);
    } else {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    }
  });

  try {
    await listen(httpServer, options.port, options.host);
  } catch (error) {
    gate.close();
    control.close();
    throw error;
  }
  httpServer.on('error', (error) => logger.error('http server error', { error: describeError(error) }));

  const port = (httpServer.address() as AddressInfo).port;
  const hostInUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${hostInUrl}:${port}`;
  logger.info('relay started', { url, concurrentLimit, iceServers: iceServers.length });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      gate.close();
      control.close();
      httpServer.close(() => {
        logger.info('relay stopped', { url });
        resolve();
      });
      httpServer.closeAllConnections();
    });

    return closing;
  };

  return { url, port, close };
}

function createErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _request, response, next) => {
    const status = readHttpStatus(error);

    if (status >= 500) logger.error('http request failed', { status, error: describeError(error) });
    else logger.warn('http request rejected', { status, error: describeError(error) });
    if (response.headersSent) {
      next(error);
      return;
    }

    response.status(status).type('text/plain').send(`${http.STATUS_CODES[status] ?? 'Error'}\n`);
  };
}

function readHttpStatus(error: unknown): number {
  if (typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number') {
    return error.status;
  }

  return 500;
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
