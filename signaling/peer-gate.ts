/**
 * Ownership gate in front of the PeerJS server. The peer server listens for 'connection' on
 * the WebSocket server returned here, but that event is only emitted for sockets whose
 * registration proved ownership of the address. Rejected sockets get a PeerJS ERROR message
 * and are closed without the peer server ever seeing them.
 *
 * A proven registration for an address that is already registered replaces the older socket,
 * for example a half-open socket left behind by a page reload. The older socket is terminated
 * and the new one is handed over only after the peer server dropped the old client, because
 * the peer server otherwise responds with ID-TAKEN.
 *
 * The gate also rejects new addresses beyond the peer limit and closes a socket that sends
 * faster than its message rate.
 */

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { addressForLog, describeError, type Logger } from './logger.ts';
import type { RelayMetrics } from './metrics.ts';
import { ProofError, readSigningKey, verifyAddressProof } from './ownership.ts';
import type { ChallengeStore } from './challenge-store.ts';
import type { PresenceRegistry } from './presence-registry.ts';
import { takeToken, type RateLimit, type TokenBucket } from './token-bucket.ts';

/** Maximum time to wait for a replaced socket to leave the peer server. */
export const REPLACED_SOCKET_CLOSE_TIMEOUT_MS = 5_000;

/** Dependencies and limits of the gate. */
export interface PeerGateOptions {
  peerKey: string;
  challenges: ChallengeStore;
  registry: PresenceRegistry;
  maxPayloadBytes: number;
  /** Maximum number of registered clients; a new address beyond it is rejected before its proof is checked. */
  concurrentLimit: number;
  /** Rate of messages per PeerJS socket; a socket that exceeds it is closed. */
  messageRate: RateLimit;
  logger: Logger;
  metrics: RelayMetrics;
  now?: () => number;
  /** TEST ONLY: accept any non-empty token without checking the proof. */
  skipOwnershipCheck: boolean;
  /** Defaults to REPLACED_SOCKET_CLOSE_TIMEOUT_MS. */
  replacedSocketTimeoutMs?: number;
}

/** WebSocket server for PeerJS clients that admits only proven registrations. */
export interface PeerGate {
  /** Server to return from the peer server's `createWebSocketServer` option. */
  readonly socketServer: WebSocketServer;

  /** Completes a WebSocket upgrade for the PeerJS path and checks the registration. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;

  /** Closes every socket, admitted or waiting, with `code` (1001, going away, by default). */
  close(code?: number): void;

  /** Cuts every socket that is still open, without a closing handshake. */
  terminate(): void;
}

/** Creates the gate. The caller routes upgrades for the PeerJS path to `handleUpgrade`. */
export function createPeerGate(options: PeerGateOptions): PeerGate {
  const { peerKey, challenges, registry, logger, metrics } = options;
  const now = options.now ?? Date.now;
  const replacedSocketTimeoutMs = options.replacedSocketTimeoutMs ?? REPLACED_SOCKET_CLOSE_TIMEOUT_MS;

  const reject = (socket: WebSocket, reason: string, message: string): void => {
    metrics.rejections.inc({ kind: 'peer', reason });
    logger.warn('peer rejected', { reason });
    sendErrorAndClose(socket, message);
  };

  const closeForRate = (socket: WebSocket): void => {
    const { ratePerSecond, burst } = options.messageRate;
    reject(socket, 'rate-limited', `too many messages: at most ${ratePerSecond} per second after a burst of ${burst}; reconnect later`);
  };

  const socketServer: WebSocketServer = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayloadBytes,
    WebSocket: createRateLimitedSocketClass(options.messageRate, now, closeForRate),
  });

  // Newest proven socket per address that waits for an older one to leave the peer server.
  const waitingSockets = new Map<string, WebSocket>();

  // One listener for all sockets, so a waiting socket costs no closure. Without it, a socket
  // error would be an uncaught exception. The peer server adds its own on hand-over.
  const logSocketError = (error: Error): void => logger.warn('peer socket error', { error: describeError(error) });

  const handOver = (socket: WebSocket, request: IncomingMessage): void => {
    socket.off('error', logSocketError);
    request.url = withoutProofToken(request.url ?? '');
    socketServer.emit('connection', socket, request);
  };

  const replaceRegistration = async (socket: WebSocket, request: IncomingMessage, address: string): Promise<void> => {
    const overtaken = waitingSockets.get(address);
    if (overtaken) {
      // Resumed, so the socket can read the client's reply to the close frame.
      overtaken.resume();
      sendErrorAndClose(overtaken, 'a newer connection for this address replaced this one');
    }

    waitingSockets.set(address, socket);
    socket.once('close', () => {
      if (waitingSockets.get(address) === socket) waitingSockets.delete(address);
    });
    // Paused, the socket keeps early messages such as a HEARTBEAT in the kernel buffer, so
    // none are lost before the peer server adds its message listener.
    socket.pause();
    logger.info('peer replaced', { address: addressForLog(address) });
    registry.clientOf(address)?.getSocket()?.terminate();

    const isOffline = await registry.waitUntilOffline(address, replacedSocketTimeoutMs);
    if (waitingSockets.get(address) !== socket) return;

    waitingSockets.delete(address);
    socket.resume();
    if (socket.readyState !== WebSocket.OPEN) return;

    if (!isOffline) {
      logger.warn('replaced peer did not leave', { address: addressForLog(address) });
      sendErrorAndClose(socket, 'the previous connection for this address is still closing; try again');
      return;
    }

    handOver(socket, request);
  };

  const admit = (socket: WebSocket, request: IncomingMessage): void => {
    const params = new URL(request.url ?? '', 'http://relay.invalid').searchParams;
    const address = params.get('id');
    const token = params.get('token');
    const key = params.get('key');

    if (!address || !token || !key) {
      reject(socket, 'missing-parameters', 'missing id, token or key in the relay URL');
      return;
    }

    if (key !== peerKey) {
      reject(socket, 'invalid-key', `invalid key: this relay uses key "${peerKey}"`);
      return;
    }

    const isKnownAddress = registry.clientOf(address) !== undefined || waitingSockets.has(address);
    if (!isKnownAddress && registry.size >= options.concurrentLimit) {
      reject(socket, 'limit-reached', 'the relay has reached its peer limit; try again later');
      return;
    }

    try {
      if (options.skipOwnershipCheck) readSigningKey(address);
      else verifyAddressProof(address, token, challenges);
    } catch (error) {
      if (!(error instanceof ProofError)) throw error;
      reject(socket, error.reason, error.message);
      return;
    }

    if (isKnownAddress) {
      void replaceRegistration(socket, request, address);
      return;
    }

    handOver(socket, request);
  };

  return {
    socketServer,

    handleUpgrade(request, socket, head) {
      socketServer.handleUpgrade(request, socket, head, (webSocket) => {
        webSocket.on('error', logSocketError);

        try {
          admit(webSocket, request);
        } catch (error) {
          logger.error('peer admission failed', { error: describeError(error) });
          webSocket.terminate();
        }
      });
    },

    close(code = 1001) {
      for (const socket of socketServer.clients) socket.close(code, 'relay shutting down');
      waitingSockets.clear();
      socketServer.close();
    },

    terminate() {
      for (const socket of socketServer.clients) socket.terminate();
    },
  };
}

/**
 * Returns a ws WebSocket class (for the server's `WebSocket` option) that drops the messages
 * of a socket beyond `limit` and calls `onExceeded` once. ws has no hook that runs before the
 * peer server's own 'message' listener and can stop it, so the class overrides `emit`. The
 * bucket lives in two fields of the socket, which keeps the cost per connection small.
 */
function createRateLimitedSocketClass(limit: RateLimit, now: () => number, onExceeded: (socket: WebSocket) => void): typeof WebSocket {
  return class RateLimitedWebSocket extends WebSocket implements TokenBucket {
    tokens = limit.burst;
    updatedAtMs = now();

    override emit(event: string | symbol, ...args: unknown[]): boolean {
      if (event === 'message' && !takeToken(this, limit, now())) {
        // Once over the limit, the bucket never refills, so no later message gets through.
        if (this.tokens !== -Infinity) {
          this.tokens = -Infinity;
          onExceeded(this);
        }
        return false;
      }

      return super.emit(event, ...args);
    }
  };
}

/** Sends a PeerJS ERROR message, the form PeerJS clients show to the app, then closes. */
function sendErrorAndClose(socket: WebSocket, message: string): void {
  socket.send(JSON.stringify({ type: 'ERROR', payload: { msg: message } }));
  socket.close(1008);
}

/**
 * Replaces the token in a PeerJS URL with a short constant. The peer server keeps each
 * client's token only to let a reconnect with the same token take over, which never happens
 * here because the gate hands a socket over only after the older one left. So the proof does
 * not stay in memory, and each client costs about 120 bytes less.
 */
function withoutProofToken(url: string): string {
  const parsed = new URL(url, 'http://relay.invalid');
  parsed.searchParams.set('token', 'proven');

  return `${parsed.pathname}${parsed.search}`;
}
