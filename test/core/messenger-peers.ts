/**
 * Messenger peers on an in-memory network, for tests of identity and security behaviour.
 * A peer's `address` is the one it registers at, which a squatter sets to someone else's.
 */

import nacl from 'tweetnacl';
import { createIdentity } from '../../src/core/identity.ts';
import type { Identity } from '../../src/core/identity.ts';
import { Messenger } from '../../src/core/messenger.ts';
import type { Clock } from '../../src/core/ports.ts';
import { silentLogger, systemClock } from '../../src/core/ports.ts';
import type { MemoryMailboxServer } from './memory-mailbox.ts';
import type { MemoryNetwork } from './memory-network.ts';
import { MemoryStorage } from './memory-storage.ts';

/** Wall clock that a test can move forward. */
export class TestClock implements Clock {
  offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }
}

export interface Peer {
  address: string;
  storage: MemoryStorage;
  messenger: Messenger;
}

const running: Messenger[] = [];

/** Starts a messenger on `storage`, creating an identity named `name` when it has none. */
export async function startPeer(network: MemoryNetwork, name: string, storage = new MemoryStorage()): Promise<Peer> {
  return startPeerWith(network, name, storage, systemClock);
}

/** Starts a peer like startPeer that also has a mailbox on `server` and runs on `clock`. */
export async function startMailboxPeer(
  network: MemoryNetwork,
  server: MemoryMailboxServer,
  clock: Clock,
  name: string,
  storage = new MemoryStorage(),
): Promise<Peer> {
  return startPeerWith(network, name, storage, clock, server);
}

async function startPeerWith(network: MemoryNetwork, name: string, storage: MemoryStorage, clock: Clock, server?: MemoryMailboxServer): Promise<Peer> {
  storage.identity ??= createIdentity(name, nacl.randomBytes, clock.now());
  const address = storage.identity.address;
  const messenger = new Messenger({
    storage,
    transport: network.transportFor(address),
    ...(server && { mailbox: server.clientFor(address) }),
    clock,
    randomBytes: nacl.randomBytes,
    logger: silentLogger,
    appUrl: 'http://127.0.0.1:8080/',
    relayUrls: ['http://127.0.0.1:8080/'],
  });
  running.push(messenger);
  await messenger.start();

  return { address, storage, messenger };
}

/**
 * Starts a peer that has its own new keys but registers at `victim`'s address, as someone
 * could on a relay that does not check address ownership.
 */
export async function startSquatter(network: MemoryNetwork, name: string, victim: Identity): Promise<Peer> {
  const storage = new MemoryStorage();
  storage.identity = { ...createIdentity(name, nacl.randomBytes, Date.now()), address: victim.address };

  return startPeer(network, name, storage);
}

export function stopPeer(network: MemoryNetwork, peer: Peer): void {
  peer.messenger.stop();
  network.leave(peer.address);
}

/** Stops every messenger started here; call from afterEach. */
export function stopAllPeers(): void {
  for (const messenger of running.splice(0)) messenger.stop();
}

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function texts(peer: Peer, conversation: string): string[] {
  return peer.storage.conversation(conversation).map((message) => message.text);
}

export function statuses(peer: Peer, conversation: string): string[] {
  return peer.storage.conversation(conversation).map((message) => message.status);
}
