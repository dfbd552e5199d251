/**
 * Addresses currently registered with the PeerJS relay, fed from the peer server's
 * 'connection' and 'disconnect' events. Both the ownership gate (to replace an older socket of
 * the same user) and the control sockets (to report presence) read it.
 */

import type { IClient } from 'peer';

/** Called with an address each time it registers (`isOnline` true) or leaves the relay. */
export type PresenceListener = (address: string, isOnline: boolean) => void;

/** Registered PeerJS clients keyed by address. */
export interface PresenceRegistry {
  /** Number of registered clients. */
  readonly size: number;

  /** Returns the registered client of an address, if any. */
  clientOf(address: string): IClient | undefined;

  /** Records a client that the peer server has just registered. */
  markOnline(client: IClient): void;

  /** Records that the peer server dropped a client. A stale client object is ignored. */
  markOffline(client: IClient): void;

  /** Adds a listener for registrations and departures. Returns a function that removes it. */
  subscribe(listener: PresenceListener): () => void;

  /**
   * Resolves true once `address` is no longer registered, or false after `timeoutMs` if it
   * still is.
   */
  waitUntilOffline(address: string, timeoutMs: number): Promise<boolean>;
}

/** Creates an empty registry. */
export function createPresenceRegistry(): PresenceRegistry {
  const clientsByAddress = new Map<string, IClient>();
  const listeners = new Set<PresenceListener>();

  const notify = (address: string, isOnline: boolean): void => {
    for (const listener of listeners) listener(address, isOnline);
  };

  const subscribe = (listener: PresenceListener): (() => void) => {
    listeners.add(listener);

    return () => listeners.delete(listener);
  };

  return {
    get size() {
      return clientsByAddress.size;
    },

    clientOf: (address) => clientsByAddress.get(address),

    markOnline(client) {
      clientsByAddress.set(client.getId(), client);
      notify(client.getId(), true);
    },

    markOffline(client) {
      const address = client.getId();
      if (clientsByAddress.get(address) !== client) return;

      clientsByAddress.delete(address);
      notify(address, false);
    },

    subscribe,

    waitUntilOffline(address, timeoutMs) {
      if (!clientsByAddress.has(address)) return Promise.resolve(true);

      return new Promise((resolve) => {
        const finish = (isOffline: boolean): void => {
          clearTimeout(timer);
          unsubscribe();
          resolve(isOffline);
        };
        const timer = setTimeout(() => finish(false), timeoutMs);
        timer.unref();
        const unsubscribe = subscribe((changed, isOnline) => {
          if (changed === address && !isOnline) finish(true);
        });
      });
    },
  };
}
