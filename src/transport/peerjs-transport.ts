/**
 * Transport on PeerJS. Each registration at the relay uses a fresh Peer with a fresh signed
 * challenge as its token: PeerJS's own reconnect would reuse the old, already spent token. The
 * relay's host, port, path and ICE servers are always passed explicitly, because PeerJS left to
 * its defaults reaches for a public cloud relay and public STUN servers.
 */

import Peer from 'peerjs';
import type { DataConnection } from 'peerjs';
import type { Identity } from '../core/identity.ts';
import type { Logger } from '../core/ports.ts';
import type { Transport, TransportHandlers } from '../core/transport-port.ts';
import { nextBackoffMs } from './backoff.ts';
import { PeerJsChannel } from './peerjs-channel.ts';
import type { RelayControl } from './relay-control.ts';
import { createRelayToken, RELAY_PATH, RELAY_REQUEST_TIMEOUT_MS } from './relay-token.ts';

export type RelayStatus = 'online' | 'connecting' | 'offline';

export const RELAY_KEY = 'meshtext';
const DIAL_TIMEOUT_MS = 10_000;
const REGISTER_TIMEOUT_MS = 15_000;

/** PeerJS error types that mean the registration is gone and a new Peer is needed. */
const FATAL_PEER_ERRORS = new Set(['network', 'server-error', 'socket-error', 'socket-closed', 'unavailable-id', 'disconnected']);

export interface PeerJsTransportOptions {
  relayUrl: string;
  logger: Logger;
  onStatus(status: RelayStatus): void;
  /** Control socket to the same relay, for presence and liveness. */
  control: RelayControl;
}

export class PeerJsTransport implements Transport {
  #options: PeerJsTransportOptions;
  #relay: URL;
  #handlers: TransportHandlers | undefined;
  #identity: Identity | undefined;
  #peer: Peer | undefined;
  #control: RelayControl;
  #iceServers: RTCIceServer[] | undefined;
  #attempt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #isRegistered = false;
  #isRegistering = false;
  #isStopped = false;
  #isControlOpen = false;

  constructor(options: PeerJsTransportOptions) {
    this.#options = options;
    this.#relay = new URL(options.relayUrl);
    this.#control = options.control;
    this.#control.onPresence = (address, isOnline) => this.#handlers?.onPresence(address, isOnline);
    this.#control.onOpenChange = (isOpen) => {
      this.#isControlOpen = isOpen;
      this.#reportStatus();
    };
  }

  attach(handlers: TransportHandlers): void {
    this.#handlers = handlers;
  }

  /** Registers at the relay under the identity's address and keeps the registration alive. */
  start(identity: Identity): void {
    this.#identity = identity;
    this.#isStopped = false;
    this.#control.start({ address: identity.address, createToken: () => createRelayToken(this.#relay, identity) });
    void this.#register();
    globalThis.addEventListener?.('online', this.#handleOnline);
  }

  /** Leaves the relay and closes every data channel, for a tab that stops leading. */
  stop(): void {
    this.#isStopped = true;
    clearTimeout(this.#retryTimer);
    globalThis.removeEventListener?.('online', this.#handleOnline);
    this.#control.stop();
    this.#peer?.destroy();
    this.#peer = undefined;
    this.#isRegistered = false;
    this.#isRegistering = false;
    this.#reportStatus();
  }

  #handleOnline = (): void => this.#restartSoon();

  dial(address: string): void {
    const peer = this.#peer;
    if (!peer || !this.#isRegistered) return;

    const connection = peer.connect(address, { reliable: true, serialization: 'raw' });
    const channel = new PeerJsChannel(connection, true);
    const timer = setTimeout(() => channel.close(), DIAL_TIMEOUT_MS);

    connection.on('open', () => {
      clearTimeout(timer);
      channel.watchPeerConnection();
      this.#handlers?.onChannel(channel);
    });
    connection.on('close', () => clearTimeout(timer));
  }

  watch(addresses: string[]): void {
    this.#control.watch(addresses);
  }

  async #register(): Promise<void> {
    const identity = this.#identity;
    if (!identity || this.#isStopped) return;

    this.#isRegistering = true;
    this.#reportStatus();
    try {
      this.#iceServers ??= await this.#fetchIceServers();
      const token = await createRelayToken(this.#relay, identity);
      this.#openPeer(identity.address, token);
    } catch (error) {
      this.#options.logger.warn('relay registration failed', { attempt: this.#attempt, error: String(error) });
      this.#isRegistering = false;
      this.#reportStatus();
      this.#scheduleRetry();
    }
  }

  #openPeer(address: string, token: string): void {
    if (this.#isStopped) return;

    const secure = this.#relay.protocol === 'https:';
    const peer = new Peer(address, {
      host: this.#relay.hostname,
      port: Number(this.#relay.port) || (secure ? 443 : 80),
      path: RELAY_PATH,
      key: RELAY_KEY,
      secure,
      token,
      debug: 0,
      config: { iceServers: this.#iceServers ?? [] },
    });
    this.#peer = peer;
    const timer = setTimeout(() => this.#replacePeer(peer, 'registration timed out'), REGISTER_TIMEOUT_MS);

    peer.on('open', () => {
      clearTimeout(timer);
      if (this.#peer !== peer) return;
      this.#attempt = 0;
      this.#isRegistered = true;
      this.#isRegistering = false;
      this.#options.logger.info('registered at relay');
      this.#reportStatus();
    });
    peer.on('connection', (connection) => this.#acceptConnection(connection));
    peer.on('disconnected', () => this.#replacePeer(peer, 'relay socket closed'));
    peer.on('error', (error) => {
      if (FATAL_PEER_ERRORS.has(error.type)) this.#replacePeer(peer, `${error.type}: ${error.message}`);
      else this.#options.logger.debug('peer error', { type: error.type });
    });
  }

  #acceptConnection(connection: DataConnection): void {
    const channel = new PeerJsChannel(connection, false);

    connection.on('open', () => {
      channel.watchPeerConnection();
      this.#handlers?.onChannel(channel);
    });
  }

  /**
   * Retires a Peer whose registration is gone and schedules a fresh one. Open data channels of
   * the old Peer keep working, since they no longer need the relay. So the old Peer is only
   * disconnected from signalling, not destroyed.
   */
  #replacePeer(peer: Peer, reason: string): void {
    if (this.#peer !== peer) return;

    this.#options.logger.warn('relay registration lost', { reason, attempt: this.#attempt });
    this.#peer = undefined;
    this.#isRegistered = false;
    this.#isRegistering = false;
    peer.removeAllListeners('disconnected');
    peer.removeAllListeners('error');
    peer.on('error', () => {});
    if (!peer.disconnected) peer.disconnect();
    this.#reportStatus();
    this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    if (this.#isStopped) return;

    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => void this.#register(), nextBackoffMs(this.#attempt++));
  }

  #restartSoon(): void {
    this.#attempt = 0;
    this.#control.reconnectNow();
    if (!this.#isRegistered) this.#scheduleRetry();
  }

  async #fetchIceServers(): Promise<RTCIceServer[]> {
    const response = await fetch(new URL(`${RELAY_PATH}/config`, this.#relay), {
      cache: 'no-store',
      signal: AbortSignal.timeout(RELAY_REQUEST_TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`relay config request failed with HTTP ${response.status}`);

    const body = (await response.json()) as { iceServers?: unknown };

    return Array.isArray(body.iceServers) ? (body.iceServers as RTCIceServer[]) : [];
  }

  /** Online needs both the registration and the control socket; a pending attempt is connecting. */
  #reportStatus(): void {
    let status: RelayStatus = 'offline';
    if (this.#isRegistered && this.#isControlOpen) status = 'online';
    else if (this.#isRegistering || this.#isRegistered || this.#isControlOpen) status = 'connecting';

    this.#options.onStatus(status);
  }
}
