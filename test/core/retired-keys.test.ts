import { afterEach, describe, expect, it } from 'vitest';
import { DIRECT_DELIVERY_TIMEOUT_MS } from '../../src/core/messenger.ts';
import { RETIRED_KEY_KEEP_MS } from '../../src/core/own-key-rotation.ts';
import { MemoryMailboxServer } from './memory-mailbox.ts';
import { MemoryNetwork } from './memory-network.ts';
import { startMailboxPeer, stopAllPeers, TestClock, texts, waitFor } from './messenger-peers.ts';

afterEach(() => stopAllPeers());

describe('retired keys after a rotation', () => {
  it('collect what was mailed to the old address and acknowledge it', async () => {
    const network = new MemoryNetwork();
    const server = new MemoryMailboxServer();
    const clock = new TestClock();
    const alice = await startMailboxPeer(network, server, clock, 'Alice');
    const bob = await startMailboxPeer(network, server, clock, 'Bob');
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
    const newBob = await startMailboxPeer(network, server, clock, 'Bob', bob.storage);
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
    const bob = await startMailboxPeer(network, server, clock, 'Bob');
    await bob.messenger.rotateKeys();

    expect(await bob.messenger.listRetiredIdentities()).toHaveLength(1);
    clock.offsetMs += RETIRED_KEY_KEEP_MS + 1;

    expect(await bob.messenger.listRetiredIdentities()).toEqual([]);
    expect(bob.storage.retired).toEqual([]);
  });
});
