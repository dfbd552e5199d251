/**
 * The control socket to the relay: presence of watched contacts and heartbeats. A pong that
 * does not come back in time means the socket is dead even if the browser still calls it open,
 * so the socket is dropped and opened again with backoff.
 */

import type { Logger } from '../core/ports.ts';
import { nextBackoffMs } from './backoff.ts';

const PING_INTERVAL_MS = 4_000;
const PONG_TIMEOUT_MS = 8_000;

export interface RelayControlOptions {
  /** ws:// or wss:// URL of the relay's control endpoint. */
  url: string;
  logger: Logger;
  onPresence(address: string, isOnline: boolean): void;
  onOpenChange(isOpen: boolean): void;
}

export class RelayControl {
  #options: RelayControlOptions;
  #socket: WebSocket | undefined;
  #watched: string[] = [];
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #lastPongAt = 0;
  #attempt = 0;
  #isStopped = false;

  constructor(options: RelayControlOptions) {
    this.#options = options;
  }

  start(): void {
    this.#isStopped = false;
    this.#connect();
  }

  stop(): void {
    this.#isStopped = true;
    clearTimeout(this.#reconnectTimer);
    this.#drop();
  }

  /** Replaces the watched addresses; the relay answers with who of them is online. */
  watch(addresses: string[]): void {
    this.#watched = addresses;
    this.#send({ type: 'watch', addresses });
  }

  /** Drops the socket now and reconnects, for example after the network changed. */
  reconnectNow(): void {
    this.#drop();
    this.#attempt = 0;
    this.#scheduleReconnect(0);
  }

  #connect(): void {
    const socket = new WebSocket(this.#options.url);
    this.#socket = socket;

    socket.addEventListener('open', () => {
      this.#attempt = 0;
      this.#lastPongAt = Date.now();
      this.#options.onOpenChange(true);
      this.#send({ type: 'watch', addresses: this.#watched });
      this.#pingTimer = setInterval(() => this.#ping(), PING_INTERVAL_MS);
    });
    socket.addEventListener('message', (event) => this.#handleMessage(event.data));
    socket.addEventListener('close', () => {
      if (this.#socket !== socket) return;
      this.#drop();
      this.#scheduleReconnect(nextBackoffMs(this.#attempt++));
    });
  }

  #handleMessage(data: unknown): void {
    let message: { type?: string; online?: unknown; address?: unknown; message?: unknown };
    try {
      message = JSON.parse(String(data));
    } catch {
      this.#options.logger.warn('control message is not JSON');
      return;
    }

    switch (message.type) {
      case 'pong':
        this.#lastPongAt = Date.now();
        return;
      case 'presence':
        if (Array.isArray(message.online)) {
          const online = new Set(message.online.filter((value): value is string => typeof value === 'string'));
          for (const address of this.#watched) this.#options.onPresence(address, online.has(address));
        }
        return;
      case 'presence-change':
        if (typeof message.address === 'string' && typeof message.online === 'boolean') {
          this.#options.onPresence(message.address, message.online);
        }
        return;
      case 'error':
        this.#options.logger.warn('relay reported an error', { message: String(message.message) });
        return;
      default:
        this.#options.logger.debug('unknown control message', { type: String(message.type) });
    }
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
    clearInterval(this.#pingTimer);
    if (socket) {
      socket.close();
      this.#options.onOpenChange(false);
    }
  }

  #scheduleReconnect(delayMs: number): void {
    if (this.#isStopped) return;

    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = setTimeout(() => this.#connect(), delayMs);
  }
}
