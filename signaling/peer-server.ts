/**
 * The PeerJS server (package `peer`) mounted at /relay. It relays OFFER, ANSWER and CANDIDATE
 * messages between registered clients. Its WebSocket server is the ownership gate, and its
 * 'connection' and 'disconnect' events feed the presence registry.
 */

import type http from 'node:http';
import type https from 'node:https';
import type { Express } from 'express';
import { ExpressPeerServer, type IClient } from 'peer';
import { addressForLog, describeError, type Logger } from './logger.ts';
import type { RelayMetrics } from './metrics.ts';
import type { PeerGate } from './peer-gate.ts';
import type { PresenceRegistry } from './presence-registry.ts';

/**
 * Time without a HEARTBEAT after which the peer server drops a PeerJS client. PeerJS 1.5
 * clients send one every 5 s.
 * NOTE: chosen above 60 s because Chrome may run the timers of a tab hidden for minutes only
 * once per minute. That reasoning is an estimate and was not measured.
 */
export const PEER_ALIVE_TIMEOUT_MS = 75_000;

const PEER_MOUNT_PATH = '/relay';

/** Parts of the relay that the peer server is wired to. */
export interface PeerMountOptions {
  app: Express;
  httpServer: http.Server | https.Server;
  gate: PeerGate;
  registry: PresenceRegistry;
  logger: Logger;
  metrics: RelayMetrics;
  peerKey: string;
  concurrentLimit: number;
}

/**
 * Mounts the PeerJS server at /relay and feeds its events into the presence registry.
 * Returns the WebSocket path that the peer server requested.
 * NOTE: peer 1.0.2 starts two internal timers that it offers no way to stop, so they keep
 * running after the relay closes. main.ts exits the process explicitly for that reason.
 */
export function mountPeerServer(mount: PeerMountOptions): string {
  const { app, gate, registry, logger, metrics } = mount;
  let peerSocketPath = `${PEER_MOUNT_PATH}/peerjs`;

  const peerServer = ExpressPeerServer(mount.httpServer, {
    key: mount.peerKey,
    path: '/',
    alive_timeout: PEER_ALIVE_TIMEOUT_MS,
    concurrent_limit: mount.concurrentLimit,
    allow_discovery: false,
    createWebSocketServer: (serverOptions) => {
      if (serverOptions.path) peerSocketPath = serverOptions.path;
      return gate.socketServer;
    },
  });
  peerServer.disable('x-powered-by');

  peerServer.on('connection', (client: IClient) => {
    registry.markOnline(client);
    metrics.peerRegistrations.inc();
    logger.info('peer connected', { address: addressForLog(client.getId()), peers: registry.size });
  });
  peerServer.on('disconnect', (client: IClient) => {
    registry.markOffline(client);
    logger.info('peer disconnected', { peers: registry.size });
  });
  // The peer server reports oversize and unparsable messages here. An 'error' event without
  // a listener would crash the process.
  peerServer.on('error', (error: Error) => {
    // V8 quotes the start of the input in JSON syntax errors, so their message stays out of the log.
    if (error instanceof SyntaxError) {
      metrics.rejections.inc({ kind: 'peer', reason: 'invalid-json' });
      logger.warn('peer message dropped', { reason: 'invalid-json' });
      return;
    }

    logger.warn('peer server error', { error: describeError(error) });
  });

  // Mounting emits 'mount', which makes the peer server create its WebSocket server.
  app.use(PEER_MOUNT_PATH, peerServer);

  return peerSocketPath;
}
