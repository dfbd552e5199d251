/**
 * Transport that loads PeerJS only when the messenger starts, so the first screen (and the
 * onboarding of a new user) does not wait for about 23 KB of gzipped WebRTC code. The service
 * worker precaches the chunk, so this costs nothing offline.
 */

import type { Identity } from '../core/identity.ts';
import type { Transport, TransportHandlers } from '../core/transport-port.ts';
import type { PeerJsTransport, PeerJsTransportOptions } from './peerjs-transport.ts';

export class LazyPeerJsTransport implements Transport {
  #options: PeerJsTransportOptions;
  #handlers: TransportHandlers | undefined;
  #watched: string[] = [];
  #loaded: PeerJsTransport | undefined;
  #loading: Promise<PeerJsTransport> | undefined;

  constructor(options: PeerJsTransportOptions) {
    this.#options = options;
  }

  attach(handlers: TransportHandlers): void {
    this.#handlers = handlers;
    this.#loaded?.attach(handlers);
  }

  /** Loads PeerJS and registers at the relay. */
  async start(identity: Identity): Promise<void> {
    this.#loading ??= import('./peerjs-transport.ts').then(({ PeerJsTransport }) => {
      const transport = new PeerJsTransport(this.#options);
      if (this.#handlers) transport.attach(this.#handlers);
      transport.watch(this.#watched);
      this.#loaded = transport;

      return transport;
    });

    (await this.#loading).start(identity);
  }

  /** Leaves the relay; start() connects again. */
  stop(): void {
    this.#loaded?.stop();
  }

  dial(address: string): void {
    this.#loaded?.dial(address);
  }

  watch(addresses: string[]): void {
    this.#watched = addresses;
    this.#loaded?.watch(addresses);
  }
}
