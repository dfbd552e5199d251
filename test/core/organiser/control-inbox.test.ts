import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryNetwork } from '../memory-network.ts';
import { waitFor } from '../messenger-peers.ts';
import { befriend, chatTexts, startOrganiserPeer, stopAllOrganiserPeers } from './organiser-peers.ts';

afterEach(() => stopAllOrganiserPeers());

describe('control inbox', () => {
  it('reads the contact once per batch', async () => {
    const network = new MemoryNetwork();
    const alice = await startOrganiserPeer(network, 'Alice');
    const bob = await startOrganiserPeer(network, 'Bob');
    await befriend(alice, bob);
    await alice.messenger.sendText(bob.address, 'opens the link');
    await waitFor(() => chatTexts(bob, alice.address).length === 1, 'the first message at Bob');
    const reads = vi.spyOn(bob.storage, 'getContact');
    const stores = vi.spyOn(bob.storage, 'storeIncoming');

    await alice.messenger.sendText(bob.address, 'second');
    await waitFor(() => chatTexts(bob, alice.address).length === 2, 'the second message at Bob');

    expect(stores).toHaveBeenCalledTimes(1);
    expect(reads.mock.calls.filter(([address]) => address === alice.address)).toHaveLength(1);
  });
});
