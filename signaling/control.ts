/**
 * Control WebSocket server: reports which watched addresses are registered with the PeerJS
 * relay, replies to pings, authenticates sockets and serves the mailbox of their address. The
 * message format is described in control-protocol.ts.
 *
 * A socket that breaks the protocol, fails to authenticate or exceeds its message rate gets
 * an error message and is closed. A socket that stops reading while too much is queued for it
 * is terminated. The other sockets are not affected.
 */

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { ChallengeStore } from './challenge-store.ts';
import { createMailboxRequestHandler } from './control-mailbox.ts';
import { ControlMessageError, parseControlRequest, type AuthRequest, type ControlReply, type ControlRequest } from './control-protocol.ts';
import { addressForLog, describeError, type Logger } from './logger.ts';
import type { Mailbox } from './mailbox.ts';
import { MailboxRequestError } from './mailbox-protocol.ts';
import type { RelayMetrics } from './metrics.ts';
import { ProofError, verifyAddressProof } from './ownership.ts';
import type { PresenceRegistry } from './presence-registry.ts';
import type { RelayLimits } from './relay-limits.ts';
import { createKeyedRateLimiter, createTokenBucket, takeToken, type TokenBucket } from './token-bucket.ts';

/** Interval of WebSocket pings that detect dead control sockets. */
export const CONTROL_HEARTBEAT_INTERVAL_MS = 30_000;

/** Dependencies and limits of the control server. */
export interface ControlServerOptions {
  registry: PresenceRegistry;
  challenges: ChallengeStore;
  mailbox: Mailbox;
  logger: Logger;
  metrics: RelayMetrics;
  limits: Pick<RelayLimits, 'maxControlSockets' | 'controlMessages' | 'mailboxPuts' | 'maxBufferedBytes'>;
  maxPayloadBytes: number;
  heartbeatIntervalMs?: number;
  now?: () => number;
}

/** Control WebSocket server mounted by the caller's upgrade routing. */
export interface ControlServer {
  /** Number of open control sockets. */
  readonly size: number;

  /** Completes a WebSocket upgrade for the control path. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;

  /** Closes every control socket with `code` (1001, going away, by default) and stops the heartbeat. */
  close(code?: number): void;

  /** Cuts every control socket that is still open, without a closing handshake. */
  terminate(): void;
}

interface SocketState {
  watched: Set<string>;
  isAlive: boolean;
  /** Address proven by an auth message, if any. */
  address: string | undefined;
  bucket: TokenBucket;
}

/** Creates the control server and subscribes it to presence changes and new mail. */
export function createControlServer(options: ControlServerOptions): ControlServer {
  const { registry, challenges, mailbox, logger, metrics, limits } = options;
  const now = options.now ?? Date.now;
  const socketServer = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes });
  const states = new Map<WebSocket, SocketState>();
  const watchersByAddress = new Map<string, Set<WebSocket>>();
  const authenticatedByAddress = new Map<string, Set<WebSocket>>();
  const putLimiter = createKeyedRateLimiter({ limit: limits.mailboxPuts, maxKeys: 100_000, now });
  const handleMailboxRequest = createMailboxRequestHandler({ mailbox, putLimiter, logger, metrics });

  const send = (socket: WebSocket, reply: ControlReply): void => {
    if (socket.readyState !== socket.OPEN) return;

    if (socket.bufferedAmount > limits.maxBufferedBytes) {
      logger.warn('control socket terminated', { reason: 'slow-consumer', bufferedBytes: socket.bufferedAmount });
      metrics.rejections.inc({ kind: 'control', reason: 'slow-consumer' });
      socket.terminate();
      return;
    }

    socket.send(JSON.stringify(reply));
  };

  const rejectAndClose = (socket: WebSocket, reason: string, message: string): void => {
    metrics.rejections.inc({ kind: 'control', reason });
    logger.warn('control message rejected', { reason });
    send(socket, { type: 'error', message });
    socket.close(1008);
  };

  const addToIndex = (index: Map<string, Set<WebSocket>>, address: string, socket: WebSocket): void => {
    const sockets = index.get(address) ?? new Set<WebSocket>();
    sockets.add(socket);
    index.set(address, sockets);
  };

  const removeFromIndex = (index: Map<string, Set<WebSocket>>, address: string, socket: WebSocket): void => {
    const sockets = index.get(address);
    sockets?.delete(socket);
    if (sockets?.size === 0) index.delete(address);
  };

  const unwatchAll = (socket: WebSocket, state: SocketState): void => {
    for (const address of state.watched) removeFromIndex(watchersByAddress, address, socket);
    state.watched.clear();
  };

  const watch = (socket: WebSocket, state: SocketState, addresses: string[]): void => {
    unwatchAll(socket, state);

    for (const address of addresses) {
      state.watched.add(address);
      addToIndex(watchersByAddress, address, socket);
    }

    send(socket, { type: 'presence', online: addresses.filter((address) => registry.clientOf(address)) });
  };

  const authenticate = (socket: WebSocket, state: SocketState, request: AuthRequest): void => {
    if (state.address !== undefined) {
      rejectAndClose(socket, 'already-authenticated', 'this socket is already authenticated; open another socket for another address');
      return;
    }

    try {
      verifyAddressProof(request.address, request.token, challenges);
    } catch (error) {
      if (!(error instanceof ProofError)) throw error;
      rejectAndClose(socket, error.reason, error.message);
      return;
    }

    state.address = request.address;
    addToIndex(authenticatedByAddress, request.address, socket);
    metrics.controlAuthentications.inc();
    logger.info('control socket authenticated', { address: addressForLog(request.address) });
    send(socket, { type: 'auth-ok', address: request.address });
  };

  const dispatch = (socket: WebSocket, state: SocketState, request: ControlRequest): void => {
    switch (request.type) {
      case 'ping':
        send(socket, { type: 'pong', time: Date.now() });
        return;
      case 'watch':
        watch(socket, state, request.addresses);
        return;
      case 'auth':
        authenticate(socket, state, request);
        return;
      case 'mailbox-put':
      case 'mailbox-fetch':
      case 'mailbox-delete':
        handleMailboxRequest(request, state.address, (reply) => send(socket, reply));
        return;
    }
  };

  const handleMessage = (socket: WebSocket, state: SocketState, data: RawData, isBinary: boolean): void => {
    if (socket.readyState !== socket.OPEN) return;

    if (!takeToken(state.bucket, limits.controlMessages, now())) {
      const { ratePerSecond, burst } = limits.controlMessages;
      rejectAndClose(socket, 'rate-limited', `too many control messages: at most ${ratePerSecond} per second after a burst of ${burst}`);
      return;
    }

    try {
      if (isBinary) throw new ControlMessageError('invalid-message', 'expected a text message');
      dispatch(socket, state, parseControlRequest(rawDataToString(data)));
    } catch (error) {
      if (error instanceof MailboxRequestError) {
        metrics.mailboxRejections.inc({ reason: error.reason });
        send(socket, { type: 'mailbox-error', requestId: error.requestId, reason: error.reason, message: error.message });
        return;
      }

      if (error instanceof ControlMessageError) {
        rejectAndClose(socket, error.reason, error.message);
        return;
      }

      logger.error('control message failed', { error: describeError(error) });
      socket.terminate();
    }
  };

  const handleConnection = (socket: WebSocket): void => {
    socket.on('error', (error) => logger.warn('control socket error', { error: describeError(error) }));

    if (states.size >= limits.maxControlSockets) {
      metrics.rejections.inc({ kind: 'control', reason: 'limit-reached' });
      logger.warn('control socket rejected', { reason: 'limit-reached', controlSockets: states.size });
      send(socket, { type: 'error', message: 'the relay has reached its control socket limit; try again later' });
      socket.close(1013);
      return;
    }

    const state: SocketState = { watched: new Set(), isAlive: true, address: undefined, bucket: createTokenBucket(limits.controlMessages, now()) };
    states.set(socket, state);
    logger.info('control socket opened', { controlSockets: states.size });

    socket.on('pong', () => {
      state.isAlive = true;
    });
    socket.on('message', (data, isBinary) => handleMessage(socket, state, data, isBinary));
    socket.on('close', () => {
      unwatchAll(socket, state);
      if (state.address !== undefined) removeFromIndex(authenticatedByAddress, state.address, socket);
      states.delete(socket);
      logger.info('control socket closed', { controlSockets: states.size });
    });
  };

  const unsubscribePresence = registry.subscribe((address, isOnline) => {
    for (const socket of watchersByAddress.get(address) ?? []) {
      send(socket, { type: 'presence-change', address, online: isOnline });
    }
  });

  const unsubscribeMail = mailbox.onNewMail((recipient) => {
    for (const socket of authenticatedByAddress.get(recipient) ?? []) send(socket, { type: 'mailbox-new' });
  });

  const heartbeat = setInterval(() => {
    putLimiter.prune();
    for (const [socket, state] of states) {
      if (!state.isAlive) {
        socket.terminate();
        continue;
      }
      state.isAlive = false;
      socket.ping();
    }
  }, options.heartbeatIntervalMs ?? CONTROL_HEARTBEAT_INTERVAL_MS);
  heartbeat.unref();

  return {
    get size() {
      return states.size;
    },

    handleUpgrade(request, socket, head) {
      socketServer.handleUpgrade(request, socket, head, handleConnection);
    },

    close(code = 1001) {
      clearInterval(heartbeat);
      unsubscribePresence();
      unsubscribeMail();
      for (const socket of socketServer.clients) socket.close(code, 'relay shutting down');
      socketServer.close();
    },

    terminate() {
      for (const socket of socketServer.clients) socket.terminate();
    },
  };
}

function rawDataToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');

  return data.toString('utf8');
}
