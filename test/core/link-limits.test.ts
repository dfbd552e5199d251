import nacl from 'tweetnacl';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createIdentity } from '../../src/core/identity.ts';
import { Messenger } from '../../src/core/messenger.ts';
import { IDLE_LINK_TIMEOUT_MS, PING_INTERVAL_MS } from '../../src/core/peer-link.ts';
import { silentLogger, systemClock } from '../../src/core/ports.ts';
import { MemoryNetwork } from './memory-network.ts';
import { MemoryStorage } from './memory-storage.ts';

interface Peer {
  address: string;
  storage: MemoryStorage;
  messenger: Messenger;
}

const running: Messenger[] = [];

async function startPeer(network: MemoryNetwork, name: string, maxLiveLinks?: number): Promise<Peer> {
  const storage = new MemoryStorage();
  storage.identity = createIdentity(name, nacl.randomBytes, Date.now());
  const messenger = new Messenger({
    storage,
    transport: network.transportFor(storage.identity.address),
    clock: systemClock,
    randomBytes: nacl.randomBytes,
    logger: silentLogger,
    appUrl: 'http://127.0.0.1:8080/',
    relayUrls: ['http://127.0.0.1:8080/'],
    ...(maxLiveLinks !== undefined && { maxLiveLinks }),
  });
  running.push(messenger);
  await messenger.start();

  return { address: storage.identity.address, storage, messenger };
}

/** Runs every pending promise chain without moving fake time. */
async function settle(): Promise<void> {
  for (let round = 0; round < 5; round++) await new Promise((resolve) => setImmediate(resolve));
}

async function introduce(a: Peer, b: Peer): Promise<void> {
  await a.messenger.addContactFromInvite(b.messenger.inviteLink());
  await b.messenger.addContactFromInvite(a.messenger.inviteLink());
}

const isDelivered = (peer: Peer): boolean => peer.storage.outbox.size === 0;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
});

afterEach(() => {
  for (const messenger of running.splice(0)) messenger.stop();
  vi.useRealTimers();
});

describe('link limits', () => {
  it('closes a link idle past the timeout although pings flow', async () => {
    const network = new MemoryNetwork();
    const alice = await startPeer(network, 'Alice');
    const bob = await startPeer(network, 'Bob');
    await introduce(alice, bob);
    await alice.messenger.sendText(bob.address, 'hello');
    await settle();
    expect(isDelivered(alice)).toBe(true);

    await vi.advanceTimersByTimeAsync(IDLE_LINK_TIMEOUT_MS - PING_INTERVAL_MS);
    expect(alice.messenger.isConnected(bob.address)).toBe(true);

    await vi.advanceTimersByTimeAsync(2 * PING_INTERVAL_MS);
    expect(alice.messenger.isConnected(bob.address)).toBe(false);
    expect(bob.messenger.isConnected(alice.address)).toBe(false);
  });

  it('keeps a link open while messages keep flowing', async () => {
    const network = new MemoryNetwork();
    const alice = await startPeer(network, 'Alice');
    const bob = await startPeer(network, 'Bob');
    await introduce(alice, bob);

    for (let minute = 0; minute < 5; minute++) {
      await alice.messenger.sendText(bob.address, `minute ${minute}`);
      await settle();
      await vi.advanceTimersByTimeAsync(IDLE_LINK_TIMEOUT_MS / 2);
    }

    expect(alice.messenger.isConnected(bob.address)).toBe(true);
    expect(bob.storage.conversation(alice.address)).toHaveLength(5);
  });

  it('reopens an idle-closed link for a new message', async () => {
    const network = new MemoryNetwork();
    const alice = await startPeer(network, 'Alice');
    const bob = await startPeer(network, 'Bob');
    await introduce(alice, bob);
    await alice.messenger.sendText(bob.address, 'before the pause');
    await settle();
    await vi.advanceTimersByTimeAsync(IDLE_LINK_TIMEOUT_MS + 2 * PING_INTERVAL_MS);
    expect(alice.messenger.isConnected(bob.address)).toBe(false);

    await bob.messenger.sendText(alice.address, 'after the pause');
    await settle();

    expect(isDelivered(bob)).toBe(true);
    expect(alice.storage.conversation(bob.address).map((message) => message.text)).toEqual(['before the pause', 'after the pause']);
  });

  it('closes the least recently used link at the limit', async () => {
    const network = new MemoryNetwork();
    const alice = await startPeer(network, 'Alice', 2);
    const bob = await startPeer(network, 'Bob');
    const carol = await startPeer(network, 'Carol');
    const dave = await startPeer(network, 'Dave');
    for (const other of [bob, carol, dave]) await introduce(alice, other);

    await alice.messenger.sendText(bob.address, 'to bob');
    await settle();
    await vi.advanceTimersByTimeAsync(1_000);
    await alice.messenger.sendText(carol.address, 'to carol');
    await settle();
    await vi.advanceTimersByTimeAsync(1_000);
    await bob.messenger.sendText(alice.address, 'bob again');
    await settle();
    expect(alice.messenger.isConnected(bob.address)).toBe(true);
    expect(alice.messenger.isConnected(carol.address)).toBe(true);

    await alice.messenger.sendText(dave.address, 'to dave');
    await settle();

    expect(isDelivered(alice)).toBe(true);
    expect(alice.messenger.isConnected(carol.address)).toBe(false);
    expect(alice.messenger.isConnected(bob.address)).toBe(true);
    expect(alice.messenger.isConnected(dave.address)).toBe(true);
  });

  it('makes room for a peer that dials at the limit', async () => {
    const network = new MemoryNetwork();
    const alice = await startPeer(network, 'Alice', 1);
    const bob = await startPeer(network, 'Bob');
    const carol = await startPeer(network, 'Carol');
    await introduce(alice, bob);
    await introduce(alice, carol);
    await alice.messenger.sendText(bob.address, 'to bob');
    await settle();

    await carol.messenger.sendText(alice.address, 'to alice');
    await settle();

    expect(isDelivered(carol)).toBe(true);
    expect(alice.messenger.isConnected(bob.address)).toBe(false);
    expect(alice.messenger.isConnected(carol.address)).toBe(true);
  });
});
