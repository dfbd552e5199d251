/**
 * Control WebSocket server: reports which watched addresses are registered with the PeerJS
 * relay and replies to pings. The message format is described in control-protocol.ts. A socket
 * that sends a message breaking the protocol gets an error message and is closed, and the
 * other sockets are not affected.
 */

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { describeError, type Logger } from './logger.ts';
import { ControlMessageError, parseControlRequest, type ControlReply } from './control-protocol.ts';
import type { PresenceRegistry } from './presence-registry.ts';

/** Interval of WebSocket pings that detect dead control sockets. */
export const CONTROL_HEARTBEAT_INTERVAL_MS = 30_000;

/** Dependencies and limits of the control server. */
export interface ControlServerOptions {
  registry: PresenceRegistry;
  logger: Logger;
  maxPayloadBytes: number;
  maxSockets: number;
  heartbeatIntervalMs?: number;
}

/** Control WebSocket server mounted by the caller's upgrade routing. */
export interface ControlServer {
  /** Completes a WebSocket upgrade for the control path. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;

  /** Terminates every control socket and stops the heartbeat. */
  close(): void;
}

interface SocketState {
  watched: Set<string>;
  isAlive: boolean;
}

/** Creates the control server and subscribes it to presence changes. */
export function createControlServer(options: ControlServerOptions): ControlServer {
  const { registry, logger } = options;
  const socketServer = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes });
  const states = new Map<WebSocket, SocketState>();
  const watchersByAddress = new Map<string, Set<WebSocket>>();

  const unwatchAll = (socket: WebSocket, state: SocketState): void => {
    for (const address of state.watched) {
      const watchers = watchersByAddress.get(address);
      watchers?.delete(socket);
      if (watchers?.size === 0) watchersByAddress.delete(address);
    }
    state.watched.clear();
  };

  const watch = (socket: WebSocket, state: SocketState, addresses: string[]): void => {
    unwatchAll(socket, state);

    for (const address of addresses) {
      state.watched.add(address);
      const watchers = watchersByAddress.get(address) ?? new Set<WebSocket>();
      watchers.add(socket);
      watchersByAddress.set(address, watchers);
    }

    send(socket, { type: 'presence', online: addresses.filter((address) => registry.clientOf(address)) });
  };

  const handleMessage = (socket: WebSocket, state: SocketState, data: RawData, isBinary: boolean): void => {
    try {
      if (isBinary) throw new ControlMessageError('invalid-message', 'expected a text message');

      const request = parseControlRequest(rawDataToString(data));
      if (request.type === 'ping') send(socket, { type: 'pong', time: Date.now() });
      else watch(socket, state, request.addresses);
    } catch (error) {
      if (error instanceof ControlMessageError) {
        logger.warn('control message rejected', { reason: error.reason });
        send(socket, { type: 'error', message: error.message });
        socket.close(1008);
        return;
      }

      logger.error('control message failed', { error: describeError(error) });
      socket.terminate();
    }
  };

  const handleConnection = (socket: WebSocket): void => {
    socket.on('error', (error) => logger.warn('control socket error', { error: describeError(error) }));

    if (states.size >= options.maxSockets) {
      logger.warn('control socket rejected', { reason: 'limit-reached', controlSockets: states.size });
      send(socket, { type: 'error', message: 'the relay has reached its control socket limit; try again later' });
      socket.close(1013);
      return;
    }

    const state: SocketState = { watched: new Set(), isAlive: true };
    states.set(socket, state);
    logger.info('control socket opened', { controlSockets: states.size });

    socket.on('pong', () => {
      state.isAlive = true;
    });
    socket.on('message', (data, isBinary) => handleMessage(socket, state, data, isBinary));
    socket.on('close', () => {
      unwatchAll(socket, state);
      states.delete(socket);
      logger.info('control socket closed', { controlSockets: states.size });
    });
  };

  const unsubscribe = registry.subscribe((address, isOnline) => {
    for (const socket of watchersByAddress.get(address) ?? []) {
      send(socket, { type: 'presence-change', address, online: isOnline });
    }
  });

  const heartbeat = setInterval(() => {
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
    handleUpgrade(request, socket, head) {
      socketServer.handleUpgrade(request, socket, head, handleConnection);
    },

    close() {
      clearInterval(heartbeat);
      unsubscribe();
      for (const socket of socketServer.clients) socket.terminate();
      socketServer.close();
    },
  };
}

function send(socket: WebSocket, reply: ControlReply): void {
  socket.send(JSON.stringify(reply));
}

function rawDataToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');

  return data.toString('utf8');
}
