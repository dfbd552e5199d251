/**
 * Messenger peers that carry for each other on an in-memory network, with a clock the test can
 * move forward and an optional shared mailbox.
 */

import nacl from 'tweetnacl';
import { createIdentity } from '../../src/core/identity.ts';
import type { CarryQuota } from '../../src/core/carry-store-port.ts';
import { DIRECT_DELIVERY_TIMEOUT_MS, Messenger } from '../../src/core/messenger.ts';
import type { PeerCourier } from '../../src/core/peer-courier.ts';
import { silentLogger } from '../../src/core/ports.ts';
import { MemoryCarryStore } from './memory-carry-store.ts';
import type { MemoryMailboxServer } from './memory-mailbox.ts';
import type { MemoryNetwork } from './memory-network.ts';
import { MemoryStorage } from './memory-storage.ts';
import { TestClock } from './messenger-peers.ts';

export { TestClock };

export interface CarryPeer {
  name: string;
  address: string;
  storage: MemoryStorage;
  carried: MemoryCarryStore;
  messenger: Messenger;
  courier: PeerCourier;
}

export interface CarryWorld {
  network: MemoryNetwork;
  clock: TestClock;
  mailbox?: MemoryMailboxServer;
  quota?: CarryQuota;
  replyTimeoutMs?: number;
}

const running: Messenger[] = [];

/** Starts a messenger with carrying on; passing an earlier peer restarts it on the same storage. */
export async function startCarryPeer(world: CarryWorld, name: string, previous?: CarryPeer): Promise<CarryPeer> {
  const storage = previous?.storage ?? new MemoryStorage();
  const carried = previous?.carried ?? new MemoryCarryStore();
  storage.identity ??= createIdentity(name, nacl.randomBytes, world.clock.now());
  const address = storage.identity.address;
  const messenger = new Messenger({
    storage,
    transport: world.network.transportFor(address),
    ...(world.mailbox && { mailbox: world.mailbox.clientFor(address) }),
    carrying: { store: carried, ...(world.quota && { quota: world.quota }), ...(world.replyTimeoutMs && { replyTimeoutMs: world.replyTimeoutMs }) },
    clock: world.clock,
    randomBytes: nacl.randomBytes,
    logger: silentLogger,
    appUrl: 'http://127.0.0.1:8080/',
    relayUrls: ['http://127.0.0.1:8080/'],
  });
  running.push(messenger);
  await messenger.start();
  if (!messenger.peerCourier) throw new Error('messenger was built without carrying');

  return { name, address, storage, carried, messenger, courier: messenger.peerCourier };
}

/** Stops a peer the way closing the app does: its links close and the relay reports it gone. */
export function stopCarryPeer(world: CarryWorld, peer: CarryPeer): void {
  peer.messenger.stop();
  world.network.leave(peer.address);
  world.mailbox?.disconnect(peer.address);
}

export function stopAllCarryPeers(): void {
  for (const messenger of running.splice(0)) messenger.stop();
}

/** Makes every pair of the given peers contacts of each other. */
export async function introduceAll(peers: CarryPeer[]): Promise<void> {
  for (const peer of peers) {
    for (const other of peers) {
      if (other !== peer) await peer.messenger.addContactFromInvite(other.messenger.inviteLink());
    }
  }
}

/** Sends a message and lets the direct delivery timeout pass, so carriers get their chance. */
export async function sendPastDirectTimeout(world: CarryWorld, sender: CarryPeer, recipient: CarryPeer, text: string): Promise<void> {
  await sender.messenger.sendText(recipient.address, text);
  await sender.messenger.deliverAll();
  world.clock.offsetMs += DIRECT_DELIVERY_TIMEOUT_MS;
  await sender.messenger.deliverAll();
}

export function texts(peer: CarryPeer, conversation: string): string[] {
  return peer.storage.conversation(conversation).map((message) => message.text);
}

export function statuses(peer: CarryPeer, conversation: string): string[] {
  return peer.storage.conversation(conversation).map((message) => message.status);
}
