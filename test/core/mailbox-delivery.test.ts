import nacl from 'tweetnacl';
import { afterEach, describe, expect, it } from 'vitest';
import { DIRECT_DELIVERY_TIMEOUT_MS } from '../../src/core/messenger.ts';
import { MemoryMailboxServer } from './memory-mailbox.ts';
import { MemoryNetwork } from './memory-network.ts';
import type { Peer } from './messenger-peers.ts';
import { startMailboxPeer, statuses, stopAllPeers, TestClock, texts, waitFor } from './messenger-peers.ts';

afterEach(() => stopAllPeers());

async function introduce(alice: Peer, bob: Peer): Promise<void> {
  await alice.messenger.addContactFromInvite(bob.messenger.inviteLink());
  await bob.messenger.addContactFromInvite(alice.messenger.inviteLink());
}

describe('mailbox delivery', () => {
  it('keeps messages queued until the direct link has had its chance', async () => {
    const network = new MemoryNetwork();
    const server = new MemoryMailboxServer();
    const clock = new TestClock();
    network.blockDirectLinks = true;
    const alice = await startMailboxPeer(network, server, clock, 'Alice');
    const bob = await startMailboxPeer(network, server, clock, 'Bob');
    await introduce(alice, bob);

    await alice.messenger.sendText(bob.address, 'wait for it');
    await alice.messenger.deliverAll();

    expect(server.puts).toBe(0);
    expect(statuses(alice, bob.address)).toEqual(['queued']);
  });

  it('sends through the mailbox when no direct link opens and brings the receipt back', async () => {
    const network = new MemoryNetwork();
    const server = new MemoryMailboxServer();
    const clock = new TestClock();
    network.blockDirectLinks = true;
    const alice = await startMailboxPeer(network, server, clock, 'Alice');
    const bob = await startMailboxPeer(network, server, clock, 'Bob');
    await introduce(alice, bob);

    await alice.messenger.sendText(bob.address, 'through the relay');
    await alice.messenger.sendText(bob.address, 'and another');
    await alice.messenger.deliverAll();
    clock.offsetMs += DIRECT_DELIVERY_TIMEOUT_MS;
    await alice.messenger.deliverAll();

    expect(statuses(alice, bob.address)).not.toContain('queued');
    await waitFor(() => texts(bob, alice.address).length === 2, 'bob to collect');
    expect(texts(bob, alice.address)).toEqual(['through the relay', 'and another']);
    await waitFor(() => statuses(alice, bob.address).every((status) => status === 'delivered'), 'receipts');
    await waitFor(() => server.count(bob.address) === 0 && server.count(alice.address) === 0, 'mailboxes to empty');
  });

  it('lets a recipient who was away collect on start', async () => {
    const network = new MemoryNetwork();
    const server = new MemoryMailboxServer();
    const clock = new TestClock();
    const alice = await startMailboxPeer(network, server, clock, 'Alice');
    let bob = await startMailboxPeer(network, server, clock, 'Bob');
    await introduce(alice, bob);
    bob.messenger.stop();
    server.disconnect(bob.address);
    network.leave(bob.address);

    await alice.messenger.sendText(bob.address, 'while you were away');
    await alice.messenger.deliverAll();
    clock.offsetMs += DIRECT_DELIVERY_TIMEOUT_MS;
    await alice.messenger.deliverAll();
    expect(server.count(bob.address)).toBe(1);

    bob = await startMailboxPeer(network, server, clock, 'Bob', bob.storage);
    await waitFor(() => texts(bob, alice.address).length === 1, 'collection on start');
    await waitFor(() => statuses(alice, bob.address)[0] === 'delivered', 'delivered');
    expect(texts(bob, alice.address)).toEqual(['while you were away']);
  });

  it('stores a message that arrives both directly and by mailbox once', async () => {
    const network = new MemoryNetwork();
    const server = new MemoryMailboxServer();
    const clock = new TestClock();
    network.blockDirectLinks = true;
    const alice = await startMailboxPeer(network, server, clock, 'Alice');
    const bob = await startMailboxPeer(network, server, clock, 'Bob');
    await introduce(alice, bob);
    const bobMailbox = server.clientFor(bob.address);
    bobMailbox.available = false;

    await alice.messenger.sendText(bob.address, 'twice on the way');
    await alice.messenger.deliverAll();
    clock.offsetMs += DIRECT_DELIVERY_TIMEOUT_MS;
    await alice.messenger.deliverAll();
    expect(server.count(bob.address)).toBe(1);

    // The direct link opens after all; Bob stores it from there, then collects the same envelope.
    network.blockDirectLinks = false;
    await alice.messenger.deliverAll();
    await waitFor(() => texts(bob, alice.address).length === 1, 'direct delivery');
    bobMailbox.available = true;
    await bob.messenger.collectMailbox();

    expect(texts(bob, alice.address)).toEqual(['twice on the way']);
    expect(server.count(bob.address)).toBe(0);
  });

  it('drops envelopes from a blocked sender before storage', async () => {
    const network = new MemoryNetwork();
    const server = new MemoryMailboxServer();
    const clock = new TestClock();
    network.blockDirectLinks = true;
    const alice = await startMailboxPeer(network, server, clock, 'Alice');
    const bob = await startMailboxPeer(network, server, clock, 'Bob');
    await introduce(alice, bob);
    await bob.messenger.block(alice.address);

    await alice.messenger.sendText(bob.address, 'let me in');
    await alice.messenger.deliverAll();
    clock.offsetMs += DIRECT_DELIVERY_TIMEOUT_MS;
    await alice.messenger.deliverAll();
    await waitFor(() => server.count(bob.address) === 0, 'bob to discard the envelope');

    expect(texts(bob, alice.address)).toEqual([]);
    expect(bob.messenger.stats.droppedFromBlocked).toBe(1);
    expect(statuses(alice, bob.address)).toEqual(['sent']);
  });

  it('keeps an envelope in the mailbox while the recipient cannot store it', async () => {
    const network = new MemoryNetwork();
    const server = new MemoryMailboxServer();
    const clock = new TestClock();
    network.blockDirectLinks = true;
    const alice = await startMailboxPeer(network, server, clock, 'Alice');
    const bob = await startMailboxPeer(network, server, clock, 'Bob');
    await introduce(alice, bob);
    bob.storage.failWrites = true;

    await alice.messenger.sendText(bob.address, 'disk is full');
    await alice.messenger.deliverAll();
    clock.offsetMs += DIRECT_DELIVERY_TIMEOUT_MS;
    await alice.messenger.deliverAll();
    await bob.messenger.collectMailbox();

    expect(server.count(bob.address)).toBe(1);
    expect(texts(bob, alice.address)).toEqual([]);
    expect(statuses(alice, bob.address)).toEqual(['sent']);

    bob.storage.failWrites = false;
    await bob.messenger.collectMailbox();
    expect(texts(bob, alice.address)).toEqual(['disk is full']);
    await waitFor(() => statuses(alice, bob.address)[0] === 'delivered', 'delivered');
  });

  it('discards an envelope that cannot be opened and counts it', async () => {
    const network = new MemoryNetwork();
    const server = new MemoryMailboxServer();
    const clock = new TestClock();
    const bob = await startMailboxPeer(network, server, clock, 'Bob');

    server.store(bob.address, nacl.randomBytes(300));
    await bob.messenger.collectMailbox();

    expect(server.count(bob.address)).toBe(0);
    expect(bob.messenger.stats.rejectedEnvelopes).toBe(1);
  });
});

describe('mailbox delivery of revisions', () => {
  it('carries an edit and a deletion to a peer who was away', async () => {
    const network = new MemoryNetwork();
    const server = new MemoryMailboxServer();
    const clock = new TestClock();
    const alice = await startMailboxPeer(network, server, clock, 'Alice');
    let bob = await startMailboxPeer(network, server, clock, 'Bob');
    await introduce(alice, bob);
    const edited = await alice.messenger.sendText(bob.address, 'meet at 5');
    const deleted = await alice.messenger.sendText(bob.address, 'wrong chat');
    await waitFor(() => texts(bob, alice.address).length === 2, 'bob to get both messages');
    bob.messenger.stop();
    // The stopped app's mailbox connection closes too, so it collects nothing meanwhile.
    server.disconnect(bob.address);
    network.leave(bob.address);

    await alice.messenger.editMessage(edited.id, 'meet at 6');
    await alice.messenger.deleteForEveryone(deleted.id);
    await alice.messenger.deliverAll();
    clock.offsetMs += DIRECT_DELIVERY_TIMEOUT_MS;
    await alice.messenger.deliverAll();
    // A delivery started by the write itself may be the one that reaches the mailbox.
    await waitFor(() => server.count(bob.address) === 2, 'both revisions in the mailbox');

    bob = await startMailboxPeer(network, server, clock, 'Bob', bob.storage);
    await waitFor(() => bob.storage.messages.get(deleted.id)?.deletedAt !== undefined, 'the deletion');
    expect(bob.storage.messages.get(edited.id)?.text).toBe('meet at 6');
    expect(bob.storage.messages.get(edited.id)?.editedAt).toBeDefined();
    expect(bob.storage.messages.get(deleted.id)?.text).toBe('');
    await waitFor(() => alice.storage.outbox.size === 0, 'receipts for both revisions');
  });
});
