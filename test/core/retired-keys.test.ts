import nacl from 'tweetnacl';
import { afterEach, describe, expect, it } from 'vitest';
import { createIdentity } from '../../src/core/identity.ts';
import { DIRECT_DELIVERY_TIMEOUT_MS, Messenger } from '../../src/core/messenger.ts';
import { RETIRED_KEY_KEEP_MS } from '../../src/core/own-key-rotation.ts';
import { silentLogger } from '../../src/core/ports.ts';
import { MemoryMailboxServer } from './memory-mailbox.ts';
import { MemoryNetwork } from './memory-network.ts';
import { MemoryStorage } from './memory-storage.ts';

/** Wall clock that a test can move forward. */
class TestClock {
  offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }
}

interface Peer {
  address: string;
  storage: MemoryStorage;
  messenger: Messenger;
}

const running: Messenger[] = [];

afterEach(() => {
  for (const messenger of running.splice(0)) messenger.stop();
});

async function startPeer(network: MemoryNetwork, server: MemoryMailboxServer, clock: TestClock, name: string, storage = new MemoryStorage()): Promise<Peer> {
  storage.identity ??= createIdentity(name, nacl.randomBytes, clock.now());
  const address = storage.identity.address;
  const messenger = new Messenger({
    storage,
    transport: network.transportFor(address),
    mailbox: server.clientFor(address),
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

async function waitFor(condition: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const texts = (peer: Peer, conversation: string): string[] => peer.storage.conversation(conversation).map((m) => m.text);

describe('retired keys after a rotation', () => {
  it('collect what was mailed to the old address and acknowledge it', async () => {
    const network = new MemoryNetwork();
    const server = new MemoryMailboxServer();
    const clock = new TestClock();
    const alice = await startPeer(network, server, clock, 'Alice');
    const bob = await startPeer(network, server, clock, 'Bob');
    await alice.messenger.addContactFromInvite(bob.messenger.inviteLink());
    await bob.messenger.addContactFromInvite(alice.messenger.inviteLink());
    const oldAddress = bob.address;
    bob.messenger.stop();
    network.leave(oldAddress);

    await alice.messenger.sendText(oldAddress, 'sent before the change reached me');
    clock.offsetMs += DIRECT_DELIVERY_TIMEOUT_MS;
    await alice.messenger.deliverAll();
    expect(server.count(oldAddress)).toBe(1);

    await bob.messenger.rotateKeys();
    network.blockDirectLinks = true;
    const newBob = await startPeer(network, server, clock, 'Bob', bob.storage);
    const [retired] = await newBob.messenger.listRetiredIdentities();
    expect(retired?.address).toBe(oldAddress);
    await newBob.messenger.attachRetiredMailbox(retired!, server.clientFor(oldAddress));

    await waitFor(() => texts(newBob, alice.address).includes('sent before the change reached me'), 'the old mailbox to be collected');
    expect(server.count(oldAddress)).toBe(0);
    await waitFor(
      () => alice.storage.conversation(oldAddress).find((message) => message.direction === 'out')?.status === 'delivered',
      'the receipt sealed by the retired keys',
    );
  });

  it('are deleted once their keep time is over', async () => {
    const network = new MemoryNetwork();
    const server = new MemoryMailboxServer();
    const clock = new TestClock();
    const bob = await startPeer(network, server, clock, 'Bob');
    await bob.messenger.rotateKeys();

    expect(await bob.messenger.listRetiredIdentities()).toHaveLength(1);
    clock.offsetMs += RETIRED_KEY_KEEP_MS + 1;

    expect(await bob.messenger.listRetiredIdentities()).toEqual([]);
    expect(bob.storage.retired).toEqual([]);
  });
});
