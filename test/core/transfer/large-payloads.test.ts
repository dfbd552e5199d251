import { afterEach, describe, expect, it } from 'vitest';
import { MAX_TEXT_LENGTH } from '../../../src/core/messages.ts';
import { MAX_SENT_FRAME_BYTES } from '../../../src/core/transfer/fragments.ts';
import { MemoryNetwork } from '../memory-network.ts';
import { startPeer, statuses, stopAllPeers, texts, waitFor } from '../messenger-peers.ts';

afterEach(() => stopAllPeers());

describe('large payloads', () => {
  it('carry a 20 KB message in frames under 16 KiB and the next one after it', async () => {
    const network = new MemoryNetwork();
    const alice = await startPeer(network, 'Alice');
    const bob = await startPeer(network, 'Bob');
    await alice.messenger.addContactFromInvite(bob.messenger.inviteLink());
    const long = '✓'.repeat(6700);
    expect(new TextEncoder().encode(long).length).toBeGreaterThan(20_000);
    expect(long.length).toBeLessThanOrEqual(MAX_TEXT_LENGTH);

    await alice.messenger.sendText(bob.address, long);
    await alice.messenger.sendText(bob.address, 'short one after');
    await waitFor(() => texts(bob, alice.address).length === 2, 'both messages');

    expect(texts(bob, alice.address)).toEqual([long, 'short one after']);
    expect(Math.max(...network.wire.map((frame) => frame.length))).toBeLessThanOrEqual(MAX_SENT_FRAME_BYTES);
    expect(network.wire.filter((frame) => frame.length > 15_000).length).toBeGreaterThanOrEqual(1);
    await waitFor(() => statuses(alice, bob.address).every((status) => status === 'delivered'), 'both delivered');
  });
});
