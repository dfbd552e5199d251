import { afterEach, describe, expect, it } from 'vitest';
import { SENT_MARK_DELAY_MS } from '../../src/core/outbox-flusher.ts';
import { MemoryNetwork } from './memory-network.ts';
import { MemoryStorage } from './memory-storage.ts';
import { startPeer, statuses, stopAllPeers, texts, waitFor } from './messenger-peers.ts';

afterEach(() => stopAllPeers());

/** Memory storage that records delivery rounds and 'sent' writes. */
class CountingStorage extends MemoryStorage {
  outboxListings = 0;
  sentWrites: string[][] = [];

  override async listOutboxConversations(): Promise<string[]> {
    this.outboxListings += 1;
    // Stays pending for a while, as an IndexedDB read would, so calls can overlap.
    await new Promise((resolve) => setTimeout(resolve, 10));

    return super.listOutboxConversations();
  }

  override async markSent(ids: string[]): Promise<void> {
    this.sentWrites.push(ids);

    return super.markSent(ids);
  }
}

describe('delivery rounds', () => {
  it('merges deliverAll calls made during a round', async () => {
    const network = new MemoryNetwork();
    const storage = new CountingStorage();
    const alice = await startPeer(network, 'Alice', storage);

    const first = alice.messenger.deliverAll();
    const during = [1, 2, 3, 4].map(() => alice.messenger.deliverAll());
    await Promise.all([first, ...during]);

    expect(storage.outboxListings).toBe(2);

    await alice.messenger.deliverAll();
    expect(storage.outboxListings).toBe(3);
  });

  it('skips the sent write for acknowledged messages', async () => {
    const network = new MemoryNetwork();
    const storage = new CountingStorage();
    const alice = await startPeer(network, 'Alice', storage);
    const bob = await startPeer(network, 'Bob');
    await alice.messenger.addContactFromInvite(bob.messenger.inviteLink());
    await alice.messenger.sendText(bob.address, 'opens the link');
    await waitFor(() => statuses(alice, bob.address)[0] === 'delivered', 'the first message delivered');

    await Promise.all(['a', 'b', 'c'].map((text) => alice.messenger.sendText(bob.address, text)));
    await waitFor(() => statuses(alice, bob.address).every((status) => status === 'delivered'), 'every message delivered');
    await new Promise((resolve) => setTimeout(resolve, SENT_MARK_DELAY_MS + 50));

    expect(texts(bob, alice.address)).toEqual(['opens the link', 'a', 'b', 'c']);
    expect(storage.sentWrites.flat()).toEqual([]);
    expect(statuses(alice, bob.address)).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
  });

  it('stores the sent status when no receipt comes in time', async () => {
    const network = new MemoryNetwork();
    const storage = new CountingStorage();
    const alice = await startPeer(network, 'Alice', storage);
    const bob = await startPeer(network, 'Bob');
    await alice.messenger.addContactFromInvite(bob.messenger.inviteLink());
    await alice.messenger.sendText(bob.address, 'opens the link');
    await waitFor(() => statuses(alice, bob.address)[0] === 'delivered', 'the first message delivered');
    // Every frame is lost from now on, so no receipt arrives, but the link stays open.
    network.faults = () => 'drop';

    await alice.messenger.sendText(bob.address, 'no receipt');
    await waitFor(() => statuses(alice, bob.address)[1] === 'sent', "the 'sent' status", SENT_MARK_DELAY_MS * 8);

    expect(storage.sentWrites.flat()).toHaveLength(1);
  });
});
