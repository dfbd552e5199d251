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
 */

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { addressForLog, describeError, type Logger } from './logger.ts';
import { ProofError, readSigningKey, verifyAddressProof } from './ownership.ts';
import type { ChallengeStore } from './challenge-store.ts';
import type { PresenceRegistry } from './presence-registry.ts';

/** Maximum time to wait for a replaced socket to leave the peer server. */
export const REPLACED_SOCKET_CLOSE_TIMEOUT_MS = 5_000;

/** Dependencies and limits of the gate. */
export interface PeerGateOptions {
  peerKey: string;
  challenges: ChallengeStore;
  registry: PresenceRegistry;
  maxPayloadBytes: number;
  logger: Logger;
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

  /** Terminates every socket, admitted or waiting. */
  close(): void;
}

/** Creates the gate. The caller routes upgrades for the PeerJS path to `handleUpgrade`. */
export function createPeerGate(options: PeerGateOptions): PeerGate {
  const { peerKey, challenges, registry, logger } = options;
  const replacedSocketTimeoutMs = options.replacedSocketTimeoutMs ?? REPLACED_SOCKET_CLOSE_TIMEOUT_MS;
  const socketServer = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes });

  // Newest proven socket per address that waits for an older one to leave the peer server.
  const waitingSockets = new Map<string, WebSocket>();
  const handedOverSockets = new WeakSet<WebSocket>();

  const reject = (socket: WebSocket, reason: string, message: string): void => {
    logger.warn('proof rejected', { reason });
    sendErrorAndClose(socket, message);
  };

  const handOver = (socket: WebSocket, request: IncomingMessage): void => {
    handedOverSockets.add(socket);
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

    try {
      if (options.skipOwnershipCheck) readSigningKey(address);
      else verifyAddressProof(address, token, challenges);
    } catch (error) {
      if (!(error instanceof ProofError)) throw error;
      reject(socket, error.reason, error.message);
      return;
    }

    if (registry.clientOf(address) || waitingSockets.has(address)) {
      void replaceRegistration(socket, request, address);
      return;
    }

    handOver(socket, request);
  };

  return {
    socketServer,

    handleUpgrade(request, socket, head) {
      socketServer.handleUpgrade(request, socket, head, (webSocket) => {
        // Without a listener, a socket error would be an uncaught exception. After hand-over
        // the peer server reports errors through its own 'error' event, so log only before.
        webSocket.on('error', (error) => {
          if (!handedOverSockets.has(webSocket)) logger.warn('peer socket error', { error: describeError(error) });
        });

        try {
          admit(webSocket, request);
        } catch (error) {
          logger.error('peer admission failed', { error: describeError(error) });
          webSocket.terminate();
        }
      });
    },

    close() {
      for (const socket of socketServer.clients) socket.terminate();
      waitingSockets.clear();
      socketServer.close();
    },
  };
}

/** Sends a PeerJS ERROR message, the form PeerJS clients show to the app, then closes. */
function sendErrorAndClose(socket: WebSocket, message: string): void {
  socket.send(JSON.stringify({ type: 'ERROR', payload: { msg: message } }));
  socket.close(1008);
}
