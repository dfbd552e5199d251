/**
 * Seqs a sender cancelled before sending, carried inside the sealed envelopes of later messages,
 * so a receiver reached only through the mailbox or a carrier shows no false gap.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { findGaps } from '../../src/core/gaps.ts';
import { DIRECT_DELIVERY_TIMEOUT_MS } from '../../src/core/messenger.ts';
import type { CarryPeer, CarryWorld } from './carry-peers.ts';
import { introduceAll, startCarryPeer, stopAllCarryPeers, stopCarryPeer, TestClock, texts } from './carry-peers.ts';
import { MemoryMailboxServer } from './memory-mailbox.ts';
import { MemoryNetwork } from './memory-network.ts';
import { waitFor } from './messenger-peers.ts';

afterEach(() => stopAllCarryPeers());

function gaps(peer: CarryPeer, other: CarryPeer): [string, number][] {
  return [...findGaps(peer.storage.conversation(other.address), peer.storage.listReceived(other.address))];
}

/** Queues one, two and three to `recipient`, deletes two for me while queued, and lets the direct timeout pass. */
async function sendWithCancelledMiddle(world: CarryWorld, sender: CarryPeer, recipient: CarryPeer): Promise<void> {
  await sender.messenger.sendText(recipient.address, 'one');
  const two = await sender.messenger.sendText(recipient.address, 'two');
  await sender.messenger.sendText(recipient.address, 'three');
  await sender.messenger.deleteForMe(two.id);

  await sender.messenger.deliverAll();
  world.clock.offsetMs += DIRECT_DELIVERY_TIMEOUT_MS;
  await sender.messenger.deliverAll();
}

describe('skipped seqs in envelopes', () => {
  it('close the gap of a message that came through the mailbox', async () => {
    const network = new MemoryNetwork();
    const world: CarryWorld = { network, clock: new TestClock(), mailbox: new MemoryMailboxServer() };
    network.blockDirectLinks = true;
    const alice = await startCarryPeer(world, 'Alice');
    let bob = await startCarryPeer(world, 'Bob');
    await introduceAll([alice, bob]);
    stopCarryPeer(world, bob);

    await sendWithCancelledMiddle(world, alice, bob);
    expect(world.mailbox?.count(bob.address)).toBe(2);

    bob = await startCarryPeer(world, 'Bob', bob);
    await waitFor(() => texts(bob, alice.address).length === 2, 'bob to collect both envelopes');
    expect(texts(bob, alice.address)).toEqual(['one', 'three']);
    expect(bob.storage.listReceived(alice.address).map((record) => record.ranges)).toEqual([[[1, 3]]]);
    expect(gaps(bob, alice)).toEqual([]);
  });

  it('close the gap of a message that came through a carrier', async () => {
    const world: CarryWorld = { network: new MemoryNetwork(), clock: new TestClock() };
    const alice = await startCarryPeer(world, 'Alice');
    let bob = await startCarryPeer(world, 'Bob');
    const carol = await startCarryPeer(world, 'Carol');
    await introduceAll([alice, bob, carol]);
    await waitFor(() => alice.messenger.isConnected(carol.address), 'alice and carol to link');
    stopCarryPeer(world, bob);

    await sendWithCancelledMiddle(world, alice, bob);
    await waitFor(() => carol.carried.rows.size === 2, 'carol to take both envelopes');
    stopCarryPeer(world, alice);

    bob = await startCarryPeer(world, 'Bob', bob);
    await waitFor(() => texts(bob, alice.address).length === 2, 'bob to get both messages from carol');
    expect(texts(bob, alice.address)).toEqual(['one', 'three']);
    expect(bob.storage.listReceived(alice.address).map((record) => record.ranges)).toEqual([[[1, 3]]]);
    expect(gaps(bob, alice)).toEqual([]);
  });

  it('still mark a gap for a message that is only late', async () => {
    const network = new MemoryNetwork();
    const mailbox = new MemoryMailboxServer();
    const world: CarryWorld = { network, clock: new TestClock(), mailbox };
    network.blockDirectLinks = true;
    const alice = await startCarryPeer(world, 'Alice');
    let bob = await startCarryPeer(world, 'Bob');
    await introduceAll([alice, bob]);
    stopCarryPeer(world, bob);
    for (const text of ['one', 'two', 'three']) await alice.messenger.sendText(bob.address, text);
    await alice.messenger.deliverAll();
    world.clock.offsetMs += DIRECT_DELIVERY_TIMEOUT_MS;
    await alice.messenger.deliverAll();

    // The envelope of two is still on its way, so nothing may claim its seq.
    const [one, two, three] = mailbox.envelopes.get(bob.address) ?? [];
    expect(two).toBeDefined();
    mailbox.envelopes.set(bob.address, [one!, three!]);
    bob = await startCarryPeer(world, 'Bob', bob);
    await waitFor(() => texts(bob, alice.address).length === 2, 'bob to collect the two envelopes left');

    expect(texts(bob, alice.address)).toEqual(['one', 'three']);
    expect(gaps(bob, alice).map(([, count]) => count)).toEqual([1]);
  });
});
