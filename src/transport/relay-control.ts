/**
 * The control socket to the relay: presence of watched contacts, heartbeats, and the mailbox
 * after proof of key. A pong that does not come back in time means the socket is dead even if
 * the browser still calls it open, so the socket is dropped and opened again with backoff.
 */

import type { Logger } from '../core/ports.ts';
import { nextBackoffMs } from './backoff.ts';

const PING_INTERVAL_MS = 4_000;
const PONG_TIMEOUT_MS = 8_000;
const REQUEST_TIMEOUT_MS = 15_000;

export interface RelayControlOptions {
  /** ws:// or wss:// URL of the relay's control endpoint. */
  url: string;
  logger: Logger;
}

/** Proves the key of `address` with a fresh relay token. */
export interface ControlCredentials {
  address: string;
  createToken(): Promise<string>;
}

/** A reply to a mailbox request, matched by its request id. */
export type ControlReply = Record<string, unknown> & { type: string; requestId: string };

interface PendingRequest {
  resolve(reply: ControlReply): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

export class RelayControl {
  onPresence: (address: string, isOnline: boolean) => void = () => {};
  onOpenChange: (isOpen: boolean) => void = () => {};
  /** Called after authentication and whenever the relay reports that new envelopes arrived. */
  onMailboxReady: () => void = () => {};
  #options: RelayControlOptions;
  #credentials: ControlCredentials | undefined;
  #socket: WebSocket | undefined;
  #watched: string[] = [];
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #lastPongAt = 0;
  #attempt = 0;
  #nextRequestId = 1;
  #pending = new Map<string, PendingRequest>();
  #isStopped = true;
  #isAuthenticated = false;

  constructor(options: RelayControlOptions) {
    this.#options = options;
  }

  get isAuthenticated(): boolean {
    return this.#isAuthenticated;
  }

  /** Opens the socket; with credentials it also authenticates for the mailbox. */
  start(credentials?: ControlCredentials): void {
    this.#credentials = credentials;
    this.#isStopped = false;
    this.#connect();
  }

  stop(): void {
    this.#isStopped = true;
    clearTimeout(this.#reconnectTimer);
    this.#drop();
  }

  /** Replaces the watched addresses; the relay replies with those of them that are online. */
  watch(addresses: string[]): void {
    this.#watched = addresses;
    this.#send({ type: 'watch', addresses });
  }

  /** Drops the socket now and reconnects, for example after the network changed. */
  reconnectNow(): void {
    if (this.#isStopped) return;

    this.#drop();
    this.#attempt = 0;
    this.#scheduleReconnect(0);
  }

  /**
   * Sends a request that carries a request id and resolves with the reply to it.
   * @throws Error when the socket is not authenticated, closes, or the reply times out.
   */
  request(message: Record<string, unknown>): Promise<ControlReply> {
    if (!this.#isAuthenticated) return Promise.reject(new Error('the relay control socket is not authenticated'));

    const requestId = String(this.#nextRequestId++);
    return new Promise<ControlReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(requestId);
        reject(new Error(`relay request ${String(message.type)} timed out after ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      this.#pending.set(requestId, { resolve, reject, timer });
      this.#send({ ...message, requestId });
    });
  }

  #connect(): void {
    const socket = new WebSocket(this.#options.url);
    this.#socket = socket;

    socket.addEventListener('open', () => {
      this.#attempt = 0;
      this.#lastPongAt = Date.now();
      this.onOpenChange(true);
      this.#send({ type: 'watch', addresses: this.#watched });
      this.#pingTimer = setInterval(() => this.#ping(), PING_INTERVAL_MS);
      void this.#authenticate(socket);
    });
    socket.addEventListener('message', (event) => this.#handleMessage(event.data));
    socket.addEventListener('close', () => {
      if (this.#socket !== socket) return;
      this.#drop();
      this.#scheduleReconnect(nextBackoffMs(this.#attempt++));
    });
  }

  async #authenticate(socket: WebSocket): Promise<void> {
    const credentials = this.#credentials;
    if (!credentials) return;

    try {
      const token = await credentials.createToken();
      if (this.#socket === socket) this.#send({ type: 'auth', address: credentials.address, token });
    } catch (error) {
      this.#options.logger.warn('control socket authentication failed', { error: String(error) });
    }
  }

  #handleMessage(data: unknown): void {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(String(data)) as Record<string, unknown>;
    } catch {
      this.#options.logger.warn('control message is not JSON');
      return;
    }

    if (typeof message.requestId === 'string' && this.#settle(message as ControlReply)) return;

    switch (message.type) {
      case 'pong':
        this.#lastPongAt = Date.now();
        return;
      case 'presence':
        this.#handlePresenceSnapshot(message.online);
        return;
      case 'presence-change':
        if (typeof message.address === 'string' && typeof message.online === 'boolean') {
          this.onPresence(message.address, message.online);
        }
        return;
      case 'auth-ok':
        this.#isAuthenticated = true;
        this.onMailboxReady();
        return;
      case 'mailbox-new':
        this.onMailboxReady();
        return;
      case 'error':
        this.#options.logger.warn('relay reported an error', { message: String(message.message) });
        return;
      default:
        this.#options.logger.debug('unknown control message', { type: String(message.type) });
    }
  }

  #handlePresenceSnapshot(online: unknown): void {
    if (!Array.isArray(online)) return;

    const onlineSet = new Set(online.filter((value): value is string => typeof value === 'string'));
    for (const address of this.#watched) this.onPresence(address, onlineSet.has(address));
  }

  /** Resolves the request a reply belongs to; returns false when none waits for it. */
  #settle(reply: ControlReply): boolean {
    const pending = this.#pending.get(reply.requestId);
    if (!pending) return false;

    this.#pending.delete(reply.requestId);
    clearTimeout(pending.timer);
    pending.resolve(reply);

    return true;
  }

  #ping(): void {
    if (Date.now() - this.#lastPongAt > PONG_TIMEOUT_MS) {
      this.#options.logger.warn('relay control socket silent; reconnecting');
      this.#drop();
      this.#scheduleReconnect(0);
      return;
    }

    this.#send({ type: 'ping' });
  }

  #send(message: object): void {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(message));
  }

  #drop(): void {
    const socket = this.#socket;
    this.#socket = undefined;
    this.#isAuthenticated = false;
    clearInterval(this.#pingTimer);

    for (const [requestId, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.reject(new Error('relay control socket closed'));
      this.#pending.delete(requestId);
    }
    if (socket) {
      socket.close();
      this.onOpenChange(false);
    }
  }

  #scheduleReconnect(delayMs: number): void {
    if (this.#isStopped) return;

    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = setTimeout(() => this.#connect(), delayMs);
  }
}
