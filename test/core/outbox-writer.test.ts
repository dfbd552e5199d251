import { afterEach, describe, expect, it } from 'vitest';
import { MAX_OUTBOX_WRITE_BATCH, OutboxWriter } from '../../src/core/outbox-writer.ts';
import type { ContactRecord, MessageRecord, OutgoingDraft, QueuedBatch } from '../../src/core/storage-port.ts';
import { MemoryNetwork } from './memory-network.ts';
import { MemoryStorage } from './memory-storage.ts';
import { startPeer, statuses, stopAllPeers, texts, waitFor } from './messenger-peers.ts';

afterEach(() => stopAllPeers());

/** Memory storage that counts batch writes and contact reads, and can hold each write until released. */
class GatedStorage extends MemoryStorage {
  batchSizes: number[] = [];
  contactReads = 0;
  isGated = false;
  #releases: (() => void)[] = [];

  override async queueOutgoingBatch(drafts: OutgoingDraft[]): Promise<QueuedBatch> {
    this.batchSizes.push(drafts.length);
    if (this.isGated) await new Promise<void>((resolve) => this.#releases.push(resolve));

    return super.queueOutgoingBatch(drafts);
  }

  override async getContact(address: string): Promise<ContactRecord | undefined> {
    this.contactReads++;

    return super.getContact(address);
  }

  release(): void {
    for (const resolve of this.#releases.splice(0)) resolve();
  }
}

function draft(index: number): OutgoingDraft {
  return { id: `message-${String(index).padStart(4, '0')}`, conversation: 'peer', sender: 'me', instance: 'instance-1', text: `t${index}`, sentAt: index };
}

/** Alice, on gated storage, and Bob with a ready link between them after one delivered message. */
async function startLinkedPair() {
  const network = new MemoryNetwork();
  const alice = await startPeer(network, 'Alice', new GatedStorage());
  const bob = await startPeer(network, 'Bob');
  await alice.messenger.addContactFromInvite(bob.messenger.inviteLink());
  await alice.messenger.sendText(bob.address, 'opens the link');
  await waitFor(() => statuses(alice, bob.address)[0] === 'delivered', 'the first message delivered');

  return { network, alice, bob, storage: alice.storage as GatedStorage };
}

describe('outbox writer', () => {
  it('writes sends of the same task in one transaction', async () => {
    const storage = new GatedStorage();
    const written: MessageRecord[][] = [];
    const writer = new OutboxWriter(storage, (batch) => written.push(batch.messages));

    const records = await Promise.all([1, 2, 3].map((index) => writer.write(draft(index))));

    expect(storage.batchSizes).toEqual([3]);
    expect(records.map((record) => record.seq)).toEqual([1, 2, 3]);
    expect(written.map((batch) => batch.map((message) => message.id))).toEqual([['message-0001', 'message-0002', 'message-0003']]);
  });

  it('joins sends made during a transaction into the next one', async () => {
    const storage = new GatedStorage();
    storage.isGated = true;
    const writer = new OutboxWriter(storage, () => undefined);

    const first = writer.write(draft(1));
    await new Promise((resolve) => setTimeout(resolve, 1));
    const later = [2, 3, 4].map((index) => writer.write(draft(index)));
    storage.release();
    await first;
    await new Promise((resolve) => setTimeout(resolve, 1));
    storage.release();
    const records = await Promise.all(later);

    expect(storage.batchSizes).toEqual([1, 3]);
    expect(records.map((record) => record.seq)).toEqual([2, 3, 4]);
  });

  it('caps one transaction at the batch limit', async () => {
    const storage = new GatedStorage();
    const writer = new OutboxWriter(storage, () => undefined);

    await Promise.all(Array.from({ length: MAX_OUTBOX_WRITE_BATCH + 10 }, (_, index) => writer.write(draft(index + 1))));

    expect(storage.batchSizes).toEqual([MAX_OUTBOX_WRITE_BATCH, 10]);
  });

  it('rejects every send of a failed transaction and stores none', async () => {
    const storage = new GatedStorage();
    storage.failWrites = true;
    const written: MessageRecord[][] = [];
    const writer = new OutboxWriter(storage, (batch) => written.push(batch.messages));

    const outcomes = await Promise.allSettled([writer.write(draft(1)), writer.write(draft(2))]);

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect(storage.messages.size).toBe(0);
    expect(written).toEqual([]);

    storage.failWrites = false;
    const record = await writer.write(draft(3));
    expect(record.seq).toBe(1);
  });

  it('sends nothing on the wire before the batch is stored', async () => {
    const { network, alice, bob, storage } = await startLinkedPair();
    storage.isGated = true;
    const framesBefore = network.wire.length;

    const sends = ['a', 'b', 'c'].map((text) => alice.messenger.sendText(bob.address, text));
    await new Promise((resolve) => setTimeout(resolve, 20));

    expect(network.wire.length).toBe(framesBefore);
    storage.release();
    await Promise.all(sends);
    await waitFor(() => texts(bob, alice.address).length === 4, 'bob to store the batch');
    expect(texts(bob, alice.address)).toEqual(['opens the link', 'a', 'b', 'c']);
    expect(storage.batchSizes.slice(-1)).toEqual([3]);
  });

  it('sends on a ready link without a contact read', async () => {
    const { network, alice, bob, storage } = await startLinkedPair();
    const framesBefore = network.wire.length;
    storage.contactReads = 0;

    await alice.messenger.sendText(bob.address, 'straight out');

    expect(network.wire.length).toBe(framesBefore + 1);
    expect(storage.contactReads).toBe(0);
    await waitFor(() => texts(bob, alice.address).includes('straight out'), 'bob to store it');
  });

  it('keeps a paused contact send queued', async () => {
    const { network, alice, bob } = await startLinkedPair();
    await alice.storage.updateContact(bob.address, { isVerificationRequired: true });
    const framesBefore = network.wire.length;

    await alice.messenger.sendText(bob.address, 'waits for the user');
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(network.wire.length).toBe(framesBefore);
    expect(statuses(alice, bob.address)).toEqual(['delivered', 'queued']);
    expect(texts(bob, alice.address)).toEqual(['opens the link']);
  });
});
