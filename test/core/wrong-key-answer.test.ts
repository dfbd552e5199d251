import { afterEach, describe, expect, it } from 'vitest';
import { bytesEqual } from '../../src/core/bytes.ts';
import { encodeReject, RejectReason } from '../../src/core/crypto/reject-frame.ts';
import { MemoryNetwork } from './memory-network.ts';
import { startPeer, startSquatter, statuses, stopAllPeers, stopPeer, texts, waitFor } from './messenger-peers.ts';
import type { Peer } from './messenger-peers.ts';

afterEach(() => stopAllPeers());

const rejectFrame = encodeReject(RejectReason.NotSealedToThisKey);

/** Alice saves Bob's invite; then Bob goes offline, keeping his storage for a later return. */
async function aliceKnowsOfflineBob(network: MemoryNetwork): Promise<{ alice: Peer; bob: Peer }> {
  const alice = await startPeer(network, 'Alice');
  const bob = await startPeer(network, 'Bob');
  await alice.messenger.addContactFromInvite(bob.messenger.inviteLink());
  stopPeer(network, bob);

  return { alice, bob };
}

describe('another key at a contact address', () => {
  it('is rejected, warned about and sent nothing', async () => {
    const network = new MemoryNetwork();
    const { alice, bob } = await aliceKnowsOfflineBob(network);
    const bobIdentity = bob.storage.identity;
    if (!bobIdentity) throw new Error('bob has no identity');
    const mallory = await startSquatter(network, 'Mallory', bobIdentity);

    await alice.messenger.sendText(bob.address, 'for bob only');
    await waitFor(() => alice.storage.contacts.get(bob.address)?.wrongKeyAt !== undefined, 'the wrong-key mark');

    expect(network.wire.some((frame) => bytesEqual(frame, rejectFrame))).toBe(true);
    expect(alice.messenger.stats.rejectedHandshakes).toBeGreaterThanOrEqual(1);
    expect(statuses(alice, bob.address)).toEqual(['queued']);
    expect(mallory.storage.messages.size).toBe(0);
    expect(mallory.storage.contacts.size).toBe(0);
    expect(alice.storage.contacts.get(bob.address)?.boxPublicKey).toEqual(bobIdentity.boxPublicKey);
  });

  it('delivers once and clears the warning when the real contact returns', async () => {
    const network = new MemoryNetwork();
    const { alice, bob } = await aliceKnowsOfflineBob(network);
    const bobIdentity = bob.storage.identity;
    if (!bobIdentity) throw new Error('bob has no identity');
    const mallory = await startSquatter(network, 'Mallory', bobIdentity);
    await alice.messenger.sendText(bob.address, 'for bob only');
    await waitFor(() => alice.storage.contacts.get(bob.address)?.wrongKeyAt !== undefined, 'the wrong-key mark');

    stopPeer(network, mallory);
    const returned = await startPeer(network, 'Bob', bob.storage);

    await waitFor(() => statuses(alice, bob.address)[0] === 'delivered', 'delivery to the real bob');
    expect(texts(returned, alice.address)).toEqual(['for bob only']);
    expect(alice.storage.contacts.get(bob.address)?.wrongKeyAt).toBeUndefined();
    expect(mallory.storage.messages.size).toBe(0);
  });

  it('does not mark the squatter side with a warning of its own', async () => {
    const network = new MemoryNetwork();
    const { alice, bob } = await aliceKnowsOfflineBob(network);
    const bobIdentity = bob.storage.identity;
    if (!bobIdentity) throw new Error('bob has no identity');
    const mallory = await startSquatter(network, 'Mallory', bobIdentity);

    await alice.messenger.sendText(bob.address, 'for bob only');
    await waitFor(() => mallory.messenger.stats.rejectedHandshakes > 0, 'mallory to reject the hello');

    expect(mallory.storage.contacts.get(alice.address)).toBeUndefined();
  });
});
