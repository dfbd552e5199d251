/**
 * The Meshtext relay: one HTTP or HTTPS server on one port that serves the built PWA, the
 * relay API, the PeerJS signaling socket behind an address ownership check, and the control
 * socket that reports presence and carries the mailbox.
 *
 * Routes:
 * - GET /health, GET /metrics, GET /relay/challenge, GET /relay/config (api-routes.ts)
 * - WebSocket /relay/peerjs?key=...&id=...&token=... (PeerJS, checked by peer-gate.ts)
 * - WebSocket /relay/control (control.ts)
 * - everything else: the static app (static.ts)
 */

import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import express, { type ErrorRequestHandler } from 'express';
import { createApiRouter } from './api-routes.ts';
import { createChallengeStore } from './challenge-store.ts';
import { createControlServer } from './control.ts';
import { MAX_CONTROL_MESSAGE_BYTES } from './control-protocol.ts';
import { createJsonLogger, describeError, type Logger } from './logger.ts';
import { openMailbox } from './mailbox.ts';
import { createRelayMetrics } from './metrics.ts';
import { createOriginPolicy } from './origin-policy.ts';
import { createPeerGate } from './peer-gate.ts';
import { mountPeerServer } from './peer-server.ts';
import { createPresenceRegistry } from './presence-registry.ts';
import { DEFAULT_PEER_KEY, validateRelayOptions, type RelayOptions } from './relay-options.ts';
import { createStaticRouter } from './static.ts';
import { createKeyedRateLimiter } from './token-bucket.ts';

export type { IceServer, RelayOptions } from './relay-options.ts';
export type { RelayLimits } from './relay-limits.ts';
export { DEFAULT_LIMITS } from './relay-limits.ts';
export { createJsonLogger, silentLogger, type Logger } from './logger.ts';
export { PEER_ALIVE_TIMEOUT_MS } from './peer-server.ts';
export { MAX_CONTROL_MESSAGE_BYTES } from './control-protocol.ts';

/** Handle of a listening relay. */
export interface RunningRelay {
  /** Base URL, for example http://127.0.0.1:8080 or https://localhost:8443. */
  url: string;
  /** Port the relay listens on, useful when the options requested port 0. */
  port: number;
  /** Deletes expired mailbox envelopes now and returns how many. The relay also does so every minute. */
  sweepMailbox(): number;
  /**
   * Stops accepting connections, closes every socket (code 1001) and the mailbox database.
   * Sockets still open after a grace period are cut. Calling it again returns the same promise.
   */
  close(): Promise<void>;
}

/** Maximum size of one WebSocket message from a PeerJS client (ws defaults to 100 MiB). */
export const MAX_PEER_MESSAGE_BYTES = 64 * 1024;

/** Time that sockets get to finish their closing handshake on shutdown before they are cut. */
export const SHUTDOWN_GRACE_MS = 2_000;

/** TCP connections allowed beyond the peer and control socket limits, for plain HTTP requests. */
const HTTP_CONNECTION_HEADROOM = 1_000;

type RelayHttpServer = http.Server | https.Server;

const CONTROL_SOCKET_PATH = '/relay/control';
const MAINTENANCE_INTERVAL_MS = 60_000;
const MAX_RATE_LIMITED_CLIENTS = 100_000;

/**
 * Starts a relay and resolves once it listens.
 * @throws TypeError or RangeError on invalid options. Rejects with the SQLite error when the
 *   mailbox database cannot be opened, and with the listen error when the port cannot be
 *   bound, for example EADDRINUSE.
 */
export async function startRelay(options: RelayOptions): Promise<RunningRelay> {
  const { iceServers, allowedOrigins, concurrentLimit, limits } = validateRelayOptions(options);
  const logger = options.logger ?? createJsonLogger();
  const now = options.now ?? Date.now;
  const peerKey = options.peerKey ?? DEFAULT_PEER_KEY;
  const isTls = options.tls !== undefined;
  const metrics = createRelayMetrics();
  const challenges = createChallengeStore();
  const challengeLimiter = createKeyedRateLimiter({ limit: limits.challenges, maxKeys: MAX_RATE_LIMITED_CLIENTS, now });
  const registry = createPresenceRegistry();
  const originPolicy = createOriginPolicy(allowedOrigins, isTls);
  const startedAtMs = Date.now();
  const mailbox = openMailbox({ dataDir: options.dataDir, limits, logger, metrics, now, sweepIntervalMs: options.mailboxSweepIntervalMs });

  const app = express();
  app.disable('x-powered-by');
  const httpServer: RelayHttpServer = options.tls === undefined ? http.createServer(app) : https.createServer({ cert: options.tls.cert, key: options.tls.key }, app);
  httpServer.maxConnections = concurrentLimit + limits.maxControlSockets + HTTP_CONNECTION_HEADROOM;

  const gate = createPeerGate({
    peerKey,
    challenges,
    registry,
    maxPayloadBytes: MAX_PEER_MESSAGE_BYTES,
    concurrentLimit,
    messageRate: limits.peerMessages,
    logger,
    metrics,
    now,
    skipOwnershipCheck: options.skipOwnershipCheck ?? false,
  });
  const control = createControlServer({ registry, challenges, mailbox, logger, metrics, limits, maxPayloadBytes: MAX_CONTROL_MESSAGE_BYTES, now });

  metrics.addGauge('meshtext_peers', 'PeerJS clients registered now.', () => registry.size);
  metrics.addGauge('meshtext_control_sockets', 'Control sockets open now.', () => control.size);
  metrics.addGauge('meshtext_mailbox_envelopes', 'Envelopes stored, expired ones not swept yet included.', () => mailbox.usage().count);
  metrics.addGauge('meshtext_mailbox_bytes', 'Body bytes of the stored envelopes.', () => mailbox.usage().bytes);
  metrics.addGauge('meshtext_uptime_seconds', 'Seconds since the relay started.', () => (Date.now() - startedAtMs) / 1000);

  app.use(
    createApiRouter({
      challenges,
      challengeLimiter,
      challengeRetryAfterSeconds: Math.max(1, Math.ceil(1 / limits.challenges.ratePerSecond)),
      registry,
      mailbox,
      controlSocketCount: () => control.size,
      metrics,
      originPolicy,
      iceServers,
      startedAtMs,
    }),
  );
  const peerSocketPath = mountPeerServer({ app, httpServer, gate, registry, logger, metrics, peerKey, concurrentLimit });
  app.use(createStaticRouter(options.staticDir, logger));
  app.use(createErrorHandler(logger));

  httpServer.on('upgrade', (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = new URL(request.url ?? '/', 'http://relay.invalid').pathname;

    if (!originPolicy.isAllowed(request)) {
      metrics.rejections.inc({ kind: 'upgrade', reason: 'origin-not-allowed' });
      logger.warn('upgrade rejected', { reason: 'origin-not-allowed', path: pathname });
      rejectUpgrade(socket, '403 Forbidden', logger);
    } else if (pathname === peerSocketPath) {
      gate.handleUpgrade(request, socket, head);
    } else if (pathname === CONTROL_SOCKET_PATH) {
      control.handleUpgrade(request, socket, head);
    } else {
      rejectUpgrade(socket, '404 Not Found', logger);
    }
  });

  try {
    await listen(httpServer, options.port, options.host);
  } catch (error) {
    gate.close();
    control.close();
    mailbox.close();
    throw error;
  }
  httpServer.on('error', (error) => logger.error('http server error', { error: describeError(error) }));

  const maintenance = setInterval(() => challengeLimiter.prune(), MAINTENANCE_INTERVAL_MS);
  maintenance.unref();

  const port = (httpServer.address() as AddressInfo).port;
  const hostInUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `${isTls ? 'https' : 'http'}://${hostInUrl}:${port}`;
  logger.info('relay started', { url, concurrentLimit, controlSocketLimit: limits.maxControlSockets, iceServers: iceServers.length });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      logger.info('relay stopping', { peers: registry.size, controlSockets: control.size });
      clearInterval(maintenance);

      const cutTimer = setTimeout(() => {
        logger.warn('sockets cut at shutdown', { afterMs: SHUTDOWN_GRACE_MS });
        gate.terminate();
        control.terminate();
        httpServer.closeAllConnections();
      }, SHUTDOWN_GRACE_MS);

      httpServer.close(() => {
        clearTimeout(cutTimer);
        mailbox.close();
        logger.info('relay stopped', { url });
        resolve();
      });
      gate.close();
      control.close();
      httpServer.closeIdleConnections();
    });

    return closing;
  };

  return { url, port, sweepMailbox: () => mailbox.sweepExpired(), close };
}

/** Rejects an upgrade request with an HTTP error status and closes its socket. */
function rejectUpgrade(socket: Duplex, status: string, logger: Logger): void {
  // Node's HTTP server stops handling errors of a socket that it passed to 'upgrade'.
  socket.on('error', (error) => logger.debug('upgrade socket error', { error: describeError(error) }));
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
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

function listen(server: RelayHttpServer, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
