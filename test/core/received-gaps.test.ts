/**
 * Gap markers and catch-up between two messengers on the in-memory network, computed from what
 * the receiver accepted rather than from the rows it still stores.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { findGaps } from '../../src/core/gaps.ts';
import { MemoryNetwork } from './memory-network.ts';
import { stopPeer, waitFor } from './messenger-peers.ts';
import type { OrganiserPeer } from './organiser/organiser-peers.ts';
import { befriend, chatTexts, startOrganiserPeer, stopAllOrganiserPeers } from './organiser/organiser-peers.ts';

afterEach(() => stopAllOrganiserPeers());

/** Gap markers the chat of `peer` shows in its conversation with `other`. */
function gaps(peer: OrganiserPeer, other: OrganiserPeer): [string, number][] {
  return [...findGaps(peer.storage.conversation(other.address), peer.storage.listReceived(other.address))];
}

async function pair(network: MemoryNetwork): Promise<[OrganiserPeer, OrganiserPeer]> {
  const alice = await startOrganiserPeer(network, 'Alice');
  const bob = await startOrganiserPeer(network, 'Bob');
  await befriend(alice, bob);

  return [alice, bob];
}

describe('gaps from received seqs', () => {
  it('marks no gap after a profile update or an edit', async () => {
    const network = new MemoryNetwork();
    const [alice, bob] = await pair(network);

    const first = await alice.messenger.sendText(bob.address, 'first');
    await alice.organiser.profile.update({ displayName: 'Alice', status: 'at the stage' });
    await alice.messenger.editMessage(first.id, 'first, edited');
    await alice.messenger.sendText(bob.address, 'second');
    await waitFor(() => chatTexts(bob, alice.address).includes('second'), 'bob to get the second message');
    await waitFor(() => bob.storage.contacts.get(alice.address)?.status === 'at the stage', 'the profile update');

    const [record] = bob.storage.listReceived(alice.address);
    expect(record?.ranges).toEqual([[1, 4]]);
    expect(gaps(bob, alice)).toEqual([]);
  });

  it('marks no gap where bob deleted a message for himself', async () => {
    const network = new MemoryNetwork();
    const [alice, bob] = await pair(network);
    await alice.messenger.sendText(bob.address, 'one');
    const two = await alice.messenger.sendText(bob.address, 'two');
    await alice.messenger.sendText(bob.address, 'three');
    await waitFor(() => chatTexts(bob, alice.address).length === 3, 'bob to get three messages');

    await bob.messenger.deleteForMe(two.id);

    expect(chatTexts(bob, alice.address)).toEqual(['one', 'three']);
    expect(gaps(bob, alice)).toEqual([]);
  });

  it('never brings a message deleted for me back through catch-up', async () => {
    const network = new MemoryNetwork();
    const [alice, bob] = await pair(network);
    await alice.messenger.sendText(bob.address, 'one');
    const two = await alice.messenger.sendText(bob.address, 'two');
    await alice.messenger.sendText(bob.address, 'three');
    await waitFor(() => alice.storage.conversation(bob.address).every((message) => message.status === 'delivered'), 'alice to see all delivered');
    await bob.messenger.deleteForMe(two.id);
    const marks = await bob.storage.receivedMarks(alice.address, alice.address);

    stopPeer(network, bob);
    const bobAgain = await startOrganiserPeer(network, 'Bob', { storage: bob.storage });
    await alice.messenger.sendText(bob.address, 'four');
    await waitFor(() => chatTexts(bobAgain, alice.address).includes('four'), 'bob to get the fourth message after reconnecting');

    expect(marks.map((mark) => mark.seq)).toEqual([3]);
    expect(bobAgain.storage.messages.has(two.id)).toBe(false);
    expect(chatTexts(bobAgain, alice.address)).toEqual(['one', 'three', 'four']);
    expect(gaps(bobAgain, alice)).toEqual([]);
  });

  it('still marks a gap for a message that never arrived', async () => {
    const network = new MemoryNetwork();
    const [alice, bob] = await pair(network);
    await alice.messenger.sendText(bob.address, 'one');
    await waitFor(() => chatTexts(bob, alice.address).length === 1, 'bob to get the first message');
    const [first] = bob.storage.conversation(alice.address);

    await bob.storage.storeIncoming([{ ...first!, id: 'late-arrival-0003', seq: 3, text: 'three', storedAt: first!.storedAt + 10 }]);

    expect(gaps(bob, alice)).toEqual([['late-arrival-0003', 1]]);
  });
});
