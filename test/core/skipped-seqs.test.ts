/**
 * Seqs the sender took and never sends: the receiver receives them in a skip payload, so no gap
 * marker stays open and catch-up requests nothing.
 */

import { afterEach, describe, expect, it, vi } from 'vitest';
import { CatchUp } from '../../src/core/catch-up.ts';
import { FrameError } from '../../src/core/errors.ts';
import { findGaps } from '../../src/core/gaps.ts';
import type { WirePayload } from '../../src/core/messages.ts';
import { decodePayload, encodePayload } from '../../src/core/messages.ts';
import { PeerLink } from '../../src/core/peer-link.ts';
import { silentLogger } from '../../src/core/ports.ts';
import { findSkipped, MAX_SKIPPED_SEQS } from '../../src/core/skipped-seqs.ts';
import { utf8 } from '../../src/core/bytes.ts';
import { MemoryNetwork } from './memory-network.ts';
import { stopPeer, waitFor } from './messenger-peers.ts';
import type { OrganiserPeer } from './organiser/organiser-peers.ts';
import { befriend, chatTexts, fallbacks, startOrganiserPeer, stopAllOrganiserPeers } from './organiser/organiser-peers.ts';

afterEach(() => {
  vi.restoreAllMocks();
  stopAllOrganiserPeers();
});

const INSTANCE = 'instance-0001';

function gaps(peer: OrganiserPeer, other: OrganiserPeer): [string, number][] {
  return [...findGaps(peer.storage.conversation(other.address), peer.storage.listReceived(other.address))];
}

function receivedRanges(peer: OrganiserPeer, from: OrganiserPeer): number[][] {
  return peer.storage.listReceived(from.address).flatMap((record) => record.ranges.map(([first, last]) => [first, last]));
}

/** Alice and Bob as contacts of each other. */
async function contactPair(network: MemoryNetwork): Promise<[OrganiserPeer, OrganiserPeer]> {
  const alice = await startOrganiserPeer(network, 'Alice');
  const bob = await startOrganiserPeer(network, 'Bob');
  await befriend(alice, bob);

  return [alice, bob];
}

/** Alice and Bob, with one message from Alice delivered. */
async function pairWithOneDelivered(network: MemoryNetwork): Promise<[OrganiserPeer, OrganiserPeer]> {
  const [alice, bob] = await contactPair(network);
  await alice.messenger.sendText(bob.address, 'one');
  await waitFor(() => alice.storage.conversation(bob.address)[0]?.status === 'delivered', 'the first message to be delivered');

  return [alice, bob];
}

/** Alice and Bob, with one message from Alice delivered, then Bob offline. */
async function pairWithBobAway(network: MemoryNetwork): Promise<[OrganiserPeer, OrganiserPeer]> {
  const [alice, bob] = await pairWithOneDelivered(network);
  stopPeer(network, bob);

  return [alice, bob];
}

/** Starts Bob again on his storage, and waits for `lastText` from Alice and for one received range. */
async function restartBob(network: MemoryNetwork, bob: OrganiserPeer, alice: OrganiserPeer, lastText: string): Promise<OrganiserPeer> {
  const bobAgain = await startOrganiserPeer(network, 'Bob', { storage: bob.storage });
  await waitFor(() => chatTexts(bobAgain, alice.address).includes(lastText), `bob to get "${lastText}"`);
  await waitFor(() => receivedRanges(bobAgain, alice).length === 1, 'the skipped seq to be recorded');

  return bobAgain;
}

/** Payloads the sender's catch-up sends when applying the receiver's current marks. */
async function catchUpPayloads(sender: OrganiserPeer, receiver: OrganiserPeer): Promise<WirePayload[]> {
  const sent: WirePayload[] = [];
  const link = {
    remoteAddress: receiver.address,
    send: (payload: WirePayload) => sent.push(payload) > 0,
  } as unknown as PeerLink;
  const identity = sender.storage.identity!;
  const catchUp = new CatchUp(sender.storage, silentLogger, () => identity.address, () => identity.instanceId);

  await catchUp.applyMarks(link, await receiver.storage.receivedMarks(sender.address, sender.address));

  return sent;
}

describe('skipped seqs', () => {
  it('closes the gap of a superseded profile update', async () => {
    const network = new MemoryNetwork();
    const [alice, bob] = await pairWithBobAway(network);
    await alice.organiser.profile.update({ displayName: 'Alice', status: 'first' });
    await alice.messenger.sendText(bob.address, 'two');
    await alice.organiser.profile.update({ displayName: 'Alice', status: 'second' });

    const bobAgain = await restartBob(network, bob, alice, 'two');
    await waitFor(() => bobAgain.storage.contacts.get(alice.address)?.status === 'second', 'the newer profile update');

    expect(receivedRanges(bobAgain, alice)).toEqual([[1, 4]]);
    expect(gaps(bobAgain, alice)).toEqual([]);
    expect(await catchUpPayloads(alice, bobAgain)).toEqual([]);
  });

  it('closes the gap of an own queued message deleted for me', async () => {
    const network = new MemoryNetwork();
    const [alice, bob] = await pairWithBobAway(network);
    const two = await alice.messenger.sendText(bob.address, 'two');
    await alice.messenger.sendText(bob.address, 'three');
    await alice.messenger.deleteForMe(two.id);

    const bobAgain = await restartBob(network, bob, alice, 'three');

    expect(chatTexts(bobAgain, alice.address)).toEqual(['one', 'three']);
    expect(receivedRanges(bobAgain, alice)).toEqual([[1, 3]]);
    expect(gaps(bobAgain, alice)).toEqual([]);
    expect(await catchUpPayloads(alice, bobAgain)).toEqual([]);
  });

  it('closes the gap of a broadcast copy cancelled after an opt-out', async () => {
    const network = new MemoryNetwork();
    const [alice, bob] = await pairWithBobAway(network);
    const list = await alice.organiser.lists.create('Volunteers');
    await alice.organiser.lists.addMembers(list.id, [bob.address]);
    await alice.organiser.broadcasts.send('Hi {name}', { listIds: [list.id] }, fallbacks);
    await alice.messenger.sendText(bob.address, 'after the broadcast');
    // The opt-out is stored as if applied in another tab; the next delivery cancels the copy.
    await alice.storage.updateContact(bob.address, { optedOutAt: Date.now() });
    await alice.messenger.deliver(bob.address);
    expect(alice.storage.conversation(bob.address).map((message) => message.status)).toEqual(['delivered', 'cancelled', 'queued']);

    const bobAgain = await restartBob(network, bob, alice, 'after the broadcast');

    expect(chatTexts(bobAgain, alice.address)).toEqual(['one', 'after the broadcast']);
    expect(receivedRanges(bobAgain, alice)).toEqual([[1, 3]]);
    expect(gaps(bobAgain, alice)).toEqual([]);
    expect(await catchUpPayloads(alice, bobAgain)).toEqual([]);
  });

  it('closes the gap of an entry cancelled while the link is open', async () => {
    const network = new MemoryNetwork();
    const [alice, bob] = await pairWithOneDelivered(network);
    const identity = alice.storage.identity!;
    // Written to the outbox without a delivery round, then cancelled before any round sends it.
    const waiting = await alice.storage.queueOutgoing({
      id: 'waiting-entry-0002',
      conversation: bob.address,
      sender: identity.address,
      instance: identity.instanceId,
      text: 'never sent',
      sentAt: Date.now(),
    });
    await alice.organiserStorage.cancelOutgoing([waiting.id]);
    await alice.messenger.sendText(bob.address, 'three');
    await waitFor(() => chatTexts(bob, alice.address).includes('three'), 'bob to get the third message');
    await waitFor(() => receivedRanges(bob, alice).length === 1, 'the skipped seq to be recorded');

    expect(waiting.seq).toBe(2);
    expect(chatTexts(bob, alice.address)).toEqual(['one', 'three']);
    expect(receivedRanges(bob, alice)).toEqual([[1, 3]]);
    expect(gaps(bob, alice)).toEqual([]);
  });

  it('rejects and counts a malformed skip payload on a ready link', async () => {
    const network = new MemoryNetwork();
    const [alice, bob] = await contactPair(network);
    await alice.messenger.sendText(bob.address, 'one');
    await waitFor(() => chatTexts(bob, alice.address).length === 1, 'bob to get the first message');
    const instance = alice.storage.identity!.instanceId;
    const send = PeerLink.prototype.send;
    // Alice's typing signal goes out as a skip claiming far more seqs than allowed.
    vi.spyOn(PeerLink.prototype, 'send').mockImplementation(function (this: PeerLink, payload: WirePayload) {
      const malformed = { t: 'skip', instance, ranges: [[2, 2 + MAX_SKIPPED_SEQS]] } as unknown as WirePayload;

      return send.call(this, payload.t === 'typing' ? malformed : payload);
    });

    alice.messenger.sendTyping(bob.address, true);
    await waitFor(() => bob.messenger.stats.rejectedFrames === 1, 'the skip payload to be rejected');
    await alice.messenger.sendText(bob.address, 'two');
    await waitFor(() => chatTexts(bob, alice.address).length === 2, 'bob to get the second message on the same link');

    expect(receivedRanges(bob, alice)).toEqual([[1, 2]]);
    expect(bob.messenger.isConnected(alice.address)).toBe(true);
  });
});

describe('skip payload validation', () => {
  const cases: [string, unknown][] = [
    ['instance is invalid', { t: 'skip', instance: 'x', ranges: [[1, 1]] }],
    ['ranges are missing', { t: 'skip', instance: INSTANCE }],
    ['ranges are empty', { t: 'skip', instance: INSTANCE, ranges: [] }],
    ['range is not a pair', { t: 'skip', instance: INSTANCE, ranges: [[1, 2, 3]] }],
    ['range starts at zero', { t: 'skip', instance: INSTANCE, ranges: [[0, 2]] }],
    ['range is reversed', { t: 'skip', instance: INSTANCE, ranges: [[5, 4]] }],
    ['bound is fractional', { t: 'skip', instance: INSTANCE, ranges: [[1.5, 4]] }],
    ['ranges overlap', { t: 'skip', instance: INSTANCE, ranges: [[1, 4], [4, 6]] }],
    ['ranges are unsorted', { t: 'skip', instance: INSTANCE, ranges: [[8, 9], [1, 2]] }],
    ['it covers too many seqs', { t: 'skip', instance: INSTANCE, ranges: [[1, MAX_SKIPPED_SEQS + 1]] }],
    ['it has too many ranges', { t: 'skip', instance: INSTANCE, ranges: Array.from({ length: 65 }, (_, index) => [index * 2 + 1, index * 2 + 1]) }],
  ];

  for (const [name, payload] of cases) {
    it(`rejects a skip when ${name}`, () => {
      expect(() => decodePayload(utf8(JSON.stringify(payload)))).toThrow(FrameError);
    });
  }

  it('accepts sorted disjoint ranges', () => {
    const payload: WirePayload = { t: 'skip', instance: INSTANCE, ranges: [[2, 3], [7, 7]] };

    expect(decodePayload(encodePayload(payload))).toEqual(payload);
  });
});

describe('findSkipped', () => {
  it('claims nothing below the first row when the peer holds nothing of the install', async () => {
    const network = new MemoryNetwork();
    const [alice, bob] = await contactPair(network);
    stopPeer(network, bob);
    const identity = alice.storage.identity!;
    const first = await alice.messenger.sendText(bob.address, 'one');
    // A restored install continues the numbering of the one it was restored from.
    alice.storage.messages.set(first.id, { ...first, seq: 40 });

    const { payloads, checkedSeq } = await findSkipped(alice.storage, bob.address, identity.address, identity.instanceId, undefined);

    expect(payloads).toEqual([]);
    expect(checkedSeq).toBe(39);
  });

  it('splits a long run of skipped seqs into bounded payloads', async () => {
    const network = new MemoryNetwork();
    const [alice, bob] = await contactPair(network);
    stopPeer(network, bob);
    const identity = alice.storage.identity!;
    const first = await alice.messenger.sendText(bob.address, 'one');
    const last = await alice.messenger.sendText(bob.address, 'far later');
    alice.storage.messages.set(last.id, { ...last, seq: MAX_SKIPPED_SEQS + 10 });
    const mark = { instance: identity.instanceId, seq: first.seq, above: [5] };

    const { payloads } = await findSkipped(alice.storage, bob.address, identity.address, identity.instanceId, mark);

    expect(payloads.map((payload) => payload.ranges)).toEqual([
      [
        [2, 4],
        [6, MAX_SKIPPED_SEQS + 2],
      ],
      [[MAX_SKIPPED_SEQS + 3, MAX_SKIPPED_SEQS + 9]],
    ]);
  });
});
