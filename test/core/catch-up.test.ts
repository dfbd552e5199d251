/**
 * Catch-up on the in-memory network: when a link opens, each side learns from the other's
 * sync marks which of its messages the other lacks, and sends only those.
 */

import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { CatchUp } from '../../src/core/catch-up.ts';
import type { WirePayload } from '../../src/core/messages.ts';
import type { PeerLink } from '../../src/core/peer-link.ts';
import { silentLogger } from '../../src/core/ports.ts';
import type { ContactRecord, MessageRecord, StoreResult } from '../../src/core/storage-port.ts';
import { MemoryNetwork } from './memory-network.ts';
import { MemoryStorage } from './memory-storage.ts';
import { startPeer, stopAllPeers, stopPeer, waitFor } from './messenger-peers.ts';
import type { Peer } from './messenger-peers.ts';

afterEach(() => stopAllPeers());

const SEED = Number(process.env.PROPERTY_SEED ?? 1_733_353_200);
const NUM_RUNS = Number(process.env.PROPERTY_RUNS ?? 12);

/** Memory storage that counts incoming messages it already held, which catch-up should never send. */
class CountingStorage extends MemoryStorage {
  duplicates = 0;

  override async storeIncoming(messages: MessageRecord[], newContact?: ContactRecord): Promise<StoreResult[]> {
    const results = await super.storeIncoming(messages, newContact);
    this.duplicates += results.filter((result) => result === 'duplicate').length;

    return results;
  }
}

function received(peer: Peer, from: Peer): MessageRecord[] {
  return peer.storage.conversation(from.address).filter((message) => message.direction === 'in');
}

function outgoing(peer: Peer, to: Peer): MessageRecord[] {
  return peer.storage.conversation(to.address).filter((message) => message.direction === 'out');
}

function isSettled(sender: Peer, receiver: Peer): boolean {
  const sent = outgoing(sender, receiver);

  return sender.storage.outbox.size === 0 && sent.every((message) => message.status === 'delivered') && received(receiver, sender).length === sent.length;
}

async function startPair(network: MemoryNetwork): Promise<[Peer, Peer]> {
  const alice = await startPeer(network, 'Alice', new CountingStorage());
  const bob = await startPeer(network, 'Bob', new CountingStorage());
  await alice.messenger.addContactFromInvite(bob.messenger.inviteLink());
  await bob.messenger.addContactFromInvite(alice.messenger.inviteLink());

  return [alice, bob];
}

async function restart(network: MemoryNetwork, peer: Peer, name: string): Promise<Peer> {
  stopPeer(network, peer);

  return startPeer(network, name, peer.storage);
}

/** Drops the stored incoming messages of `from` with seq above `keep` and their received seqs, as restoring an older backup would. */
function loseReceivedAfter(peer: Peer, from: Peer, keep: number): void {
  for (const message of received(peer, from)) {
    if (message.seq > keep) peer.storage.messages.delete(message.id);
  }
  peer.storage.forgetReceivedAbove(from.address, keep);
}

/** Stores copies of the sender's first `count` outbox messages at the receiver, as if only their receipts were lost. */
async function storeWithoutReceipt(sender: Peer, receiver: Peer, count: number): Promise<void> {
  const waiting = (await sender.storage.listOutbox(receiver.address)).slice(0, count);
  const copies = waiting.map((message): MessageRecord => ({ ...message, conversation: sender.address, direction: 'in', status: 'received' }));
  await receiver.storage.storeIncoming(copies);
}

function duplicates(peer: Peer): number {
  return (peer.storage as CountingStorage).duplicates;
}

describe('catch-up', () => {
  it('acknowledges messages whose receipt was lost without resending them', async () => {
    const network = new MemoryNetwork();
    const [alice, firstBob] = await startPair(network);
    stopPeer(network, firstBob);
    for (const text of ['one', 'two', 'three']) await alice.messenger.sendText(firstBob.address, text);
    await storeWithoutReceipt(alice, firstBob, 2);

    const bob = await startPeer(network, 'Bob', firstBob.storage);
    await waitFor(() => isSettled(alice, bob), 'alice outbox to drain');

    expect(received(bob, alice).map((message) => message.text)).toEqual(['one', 'two', 'three']);
    expect(duplicates(bob)).toBe(0);
  });

  it('resends delivered messages the peer lost, in both directions', async () => {
    const network = new MemoryNetwork();
    const [alice, firstBob] = await startPair(network);
    for (let index = 1; index <= 5; index++) {
      await alice.messenger.sendText(firstBob.address, `from alice ${index}`);
      await firstBob.messenger.sendText(alice.address, `from bob ${index}`);
    }
    await waitFor(() => isSettled(alice, firstBob) && isSettled(firstBob, alice), 'first exchange');

    loseReceivedAfter(firstBob, alice, 2);
    loseReceivedAfter(alice, firstBob, 4);
    const bob = await restart(network, firstBob, 'Bob');
    await waitFor(() => received(bob, alice).length === 5 && received(alice, bob).length === 5, 'both sides to catch up');

    expect(received(bob, alice).map((message) => message.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(received(alice, bob).map((message) => message.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(duplicates(bob)).toBe(0);
    expect(duplicates(alice)).toBe(0);
  });

  it('pages through a long gap', async () => {
    const network = new MemoryNetwork();
    const [alice, firstBob] = await startPair(network);
    stopPeer(network, firstBob);
    const count = 700;
    for (let index = 0; index < count; index++) void alice.messenger.sendText(firstBob.address, `queued ${index}`);
    await waitFor(() => alice.storage.outbox.size === count, 'all queued');
    await storeWithoutReceipt(alice, firstBob, 300);

    const bob = await startPeer(network, 'Bob', firstBob.storage);
    await waitFor(() => isSettled(alice, bob), 'alice outbox to drain', 15_000);

    expect(received(bob, alice).map((message) => message.seq)).toEqual(Array.from({ length: count }, (_, index) => index + 1));
    expect(duplicates(bob)).toBe(0);
  });

  it('sends each side only what the other lacks', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          fromAlice: fc.integer({ min: 0, max: 8 }),
          fromBob: fc.integer({ min: 0, max: 8 }),
          bobKeepsShare: fc.double({ min: 0, max: 1, noNaN: true }),
          aliceKeepsShare: fc.double({ min: 0, max: 1, noNaN: true }),
          queuedForBob: fc.integer({ min: 0, max: 8 }),
          heldWithoutReceiptShare: fc.double({ min: 0, max: 1, noNaN: true }),
        }),
        async (plan) => {
          const network = new MemoryNetwork();
          const [alice, firstBob] = await startPair(network);
          for (let index = 0; index < plan.fromAlice; index++) await alice.messenger.sendText(firstBob.address, `a${index}`);
          for (let index = 0; index < plan.fromBob; index++) await firstBob.messenger.sendText(alice.address, `b${index}`);
          await waitFor(() => isSettled(alice, firstBob) && isSettled(firstBob, alice), 'first exchange');

          stopPeer(network, firstBob);
          loseReceivedAfter(firstBob, alice, Math.floor(plan.bobKeepsShare * plan.fromAlice));
          loseReceivedAfter(alice, firstBob, Math.floor(plan.aliceKeepsShare * plan.fromBob));
          for (let index = 0; index < plan.queuedForBob; index++) await alice.messenger.sendText(firstBob.address, `q${index}`);
          await storeWithoutReceipt(alice, firstBob, Math.floor(plan.heldWithoutReceiptShare * plan.queuedForBob));

          const bob = await startPeer(network, 'Bob', firstBob.storage);
          await waitFor(() => isSettled(alice, bob) && isSettled(bob, alice), 'both sides to catch up');

          const total = plan.fromAlice + plan.queuedForBob;
          expect(received(bob, alice).map((message) => message.seq)).toEqual(Array.from({ length: total }, (_, index) => index + 1));
          expect(received(alice, bob).map((message) => message.seq)).toEqual(Array.from({ length: plan.fromBob }, (_, index) => index + 1));
          expect(duplicates(bob), 'messages bob already held were sent again').toBe(0);
          expect(duplicates(alice), 'messages alice already held were sent again').toBe(0);
          stopAllPeers();
        },
      ),
      { numRuns: NUM_RUNS, seed: SEED },
    );
  }, 120_000);
});

describe('catch-up with control messages', () => {
  it('resends chats but not controls', async () => {
    const storage = new MemoryStorage();
    const own = 'mt1own';
    const peer = 'mt1peer';
    const base = { conversation: peer, sender: own, instance: 'instance-0001', sentAt: 1 };
    await storage.queueOutgoingBatch([
      { ...base, id: 'chat-0001', text: 'before' },
      { ...base, id: 'control-0001', text: '', control: { kind: 'opt-in' } },
      { ...base, id: 'chat-0002', text: 'after' },
    ]);
    await storage.markDelivered(peer, ['chat-0001', 'control-0001', 'chat-0002']);
    const sent: WirePayload[] = [];
    const link = { remoteAddress: peer, send: (payload: WirePayload) => sent.push(payload) > 0 } as unknown as PeerLink;

    const resent = await new CatchUp(storage, silentLogger, () => own, () => 'instance-0001').applyMarks(link, []);

    expect(resent).toBe(2);
    expect(sent.map((payload) => (payload.t === 'msg' ? payload.id : payload.t))).toEqual(['chat-0001', 'chat-0002']);
  });
});
