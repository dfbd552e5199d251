import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_ENVELOPE_TTL_MS } from '../../src/core/crypto/envelope.ts';
import { CARRIED_MAILBOX_DELAY_MS } from '../../src/core/carry-sender.ts';
import { carryTag } from '../../src/core/carry-store-port.ts';
import { MemoryMailboxServer } from './memory-mailbox.ts';
import { MemoryNetwork } from './memory-network.ts';
import { waitFor } from './messenger-peers.ts';
import type { CarryPeer, CarryWorld } from './carry-peers.ts';
import { introduceAll, sendPastDirectTimeout, startCarryPeer, statuses, stopAllCarryPeers, stopCarryPeer, TestClock, texts } from './carry-peers.ts';
import { MemoryCarryStore } from './memory-carry-store.ts';

afterEach(() => stopAllCarryPeers());

/** Alice, Bob and Carol, all contacts of each other and linked; Bob then goes offline. */
async function startTrio(world: CarryWorld): Promise<{ alice: CarryPeer; bob: CarryPeer; carol: CarryPeer }> {
  const alice = await startCarryPeer(world, 'Alice');
  const bob = await startCarryPeer(world, 'Bob');
  const carol = await startCarryPeer(world, 'Carol');
  await introduceAll([alice, bob, carol]);
  await waitFor(() => alice.messenger.isConnected(carol.address), 'alice and carol to link');
  stopCarryPeer(world, bob);

  return { alice, bob, carol };
}

/** A store whose writes wait until the test opens the gate, like a carrier on a slow disk. */
class GatedCarryStore extends MemoryCarryStore {
  #open: () => void = () => {};
  #gate = new Promise<void>((resolve) => (this.#open = resolve));

  override async add(...args: Parameters<MemoryCarryStore['add']>): ReturnType<MemoryCarryStore['add']> {
    await this.#gate;

    return super.add(...args);
  }

  openGate(): void {
    this.#open();
  }
}

describe('peer courier', () => {
  it('delivers from Alice through Carol to Bob and brings the receipt back', async () => {
    const world: CarryWorld = { network: new MemoryNetwork(), clock: new TestClock() };
    const trio = await startTrio(world);
    const { carol } = trio;
    let { alice, bob } = trio;

    await sendPastDirectTimeout(world, alice, bob, 'carried by carol');
    expect(statuses(alice, bob.address)).toEqual(['sent']);
    expect(alice.storage.conversation(bob.address)[0]?.carriedAt).toBeTypeOf('number');
    expect(carol.carried.rows.size).toBe(1);
    stopCarryPeer(world, alice);

    bob = await startCarryPeer(world, 'Bob', bob);
    await waitFor(() => texts(bob, alice.address).length === 1, 'bob to get the message from carol');
    expect(texts(bob, alice.address)).toEqual(['carried by carol']);
    // Alice is away, so Bob's receipt goes back to Carol to carry.
    await waitFor(() => carol.carried.rows.size === 1 && carol.courier.stats.carried === 2, 'carol to carry the receipt');

    alice = await startCarryPeer(world, 'Alice', alice);
    await waitFor(() => statuses(alice, bob.address)[0] === 'delivered', 'alice to see delivered');
    await waitFor(() => carol.carried.rows.size === 0, 'carol to hand everything on');
    expect(texts(bob, alice.address)).toEqual(['carried by carol']);
    expect(carol.courier.stats.handedOn).toBe(2);
  });

  it('keeps the order of many carried messages', async () => {
    const world: CarryWorld = { network: new MemoryNetwork(), clock: new TestClock() };
    const trio = await startTrio(world);
    const { alice, carol } = trio;
    let { bob } = trio;
    const sent = Array.from({ length: 40 }, (_, index) => `carried ${index + 1}`);

    for (const text of sent) await alice.messenger.sendText(bob.address, text);
    await sendPastDirectTimeout(world, alice, bob, 'and the last one');
    expect(carol.carried.rows.size).toBe(41);
    stopCarryPeer(world, alice);

    bob = await startCarryPeer(world, 'Bob', bob);
    await waitFor(() => texts(bob, alice.address).length === 41, 'bob to get every message', 10_000);
    expect(texts(bob, alice.address)).toEqual([...sent, 'and the last one']);
  });

  it('stores a message that comes through a carrier and the mailbox once', async () => {
    const world: CarryWorld = { network: new MemoryNetwork(), clock: new TestClock(), mailbox: new MemoryMailboxServer(), replyTimeoutMs: 100 };
    const alice = await startCarryPeer(world, 'Alice');
    let bob = await startCarryPeer(world, 'Bob');
    const slowStore = new GatedCarryStore();
    const carolFirst = await startCarryPeer(world, 'Carol');
    stopCarryPeer(world, carolFirst);
    const carol = await startCarryPeer(world, 'Carol', { ...carolFirst, carried: slowStore });
    await introduceAll([alice, bob, carol]);
    await waitFor(() => alice.messenger.isConnected(carol.address), 'alice and carol to link');
    stopCarryPeer(world, bob);

    // Carol replies too late, so Alice also gives the message to the mailbox.
    await sendPastDirectTimeout(world, alice, bob, 'two ways');
    expect(world.mailbox?.count(bob.address)).toBe(1);
    slowStore.openGate();
    await waitFor(() => slowStore.rows.size === 1, 'carol to store her copy');

    bob = await startCarryPeer(world, 'Bob', bob);
    await waitFor(() => slowStore.rows.size === 0 && world.mailbox?.count(bob.address) === 0, 'both copies to reach bob');
    await waitFor(() => statuses(alice, bob.address)[0] === 'delivered', 'alice to see delivered');
    expect(texts(bob, alice.address)).toEqual(['two ways']);
    expect(bob.storage.contacts.get(alice.address)?.unreadCount).toBe(1);
  });

  it('drops an envelope that expired while carried', async () => {
    const world: CarryWorld = { network: new MemoryNetwork(), clock: new TestClock() };
    const trio = await startTrio(world);
    const { alice, carol } = trio;
    let { bob } = trio;
    await sendPastDirectTimeout(world, alice, bob, 'too late');
    expect(carol.carried.rows.size).toBe(1);
    stopCarryPeer(world, alice);

    world.clock.offsetMs += DEFAULT_ENVELOPE_TTL_MS + 1;
    expect(await carol.courier.sweepExpired()).toBe(1);
    expect(carol.carried.rows.size).toBe(0);

    bob = await startCarryPeer(world, 'Bob', bob);
    await waitFor(() => bob.messenger.isConnected(carol.address), 'bob and carol to link');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(texts(bob, alice.address)).toEqual([]);
  });

  it('falls back to the mailbox when the carrier quota is full', async () => {
    const world: CarryWorld = {
      network: new MemoryNetwork(),
      clock: new TestClock(),
      mailbox: new MemoryMailboxServer(),
      quota: { maxEnvelopes: 1, maxBytes: 1024 * 1024 },
    };
    const { alice, bob, carol } = await startTrio(world);

    await alice.messenger.sendText(bob.address, 'fits');
    await sendPastDirectTimeout(world, alice, bob, 'does not fit');

    const [first, second] = alice.storage.conversation(bob.address);
    expect(first?.carriedAt).toBeTypeOf('number');
    expect(first?.mailboxedAt).toBeUndefined();
    expect(second?.carriedAt).toBeUndefined();
    expect(second?.mailboxedAt).toBeTypeOf('number');
    expect(carol.carried.rows.size).toBe(1);
    expect(world.mailbox?.count(bob.address)).toBe(1);
    expect(alice.courier.stats.rejectedOffers).toBe(1);
    expect(statuses(alice, bob.address)).toEqual(['sent', 'sent']);
  });

  it('keeps carried envelopes across a restart of the carrier', async () => {
    const world: CarryWorld = { network: new MemoryNetwork(), clock: new TestClock() };
    const trio = await startTrio(world);
    const { alice } = trio;
    let { bob, carol } = trio;
    await sendPastDirectTimeout(world, alice, bob, 'survives a restart');
    stopCarryPeer(world, alice);

    stopCarryPeer(world, carol);
    carol = await startCarryPeer(world, 'Carol', carol);
    expect(carol.carried.rows.size).toBe(1);

    bob = await startCarryPeer(world, 'Bob', bob);
    await waitFor(() => texts(bob, alice.address).length === 1, 'bob to get the message');
    expect(texts(bob, alice.address)).toEqual(['survives a restart']);
  });

  it('redials recipient after failed dial', async () => {
    const world: CarryWorld = { network: new MemoryNetwork(), clock: new TestClock() };
    const trio = await startTrio(world);
    const { alice, carol } = trio;
    let { bob } = trio;
    await sendPastDirectTimeout(world, alice, bob, 'after a failed dial');
    stopCarryPeer(world, alice);

    world.network.blockDirectLinks = true;
    bob = await startCarryPeer(world, 'Bob', bob);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(carol.messenger.isConnected(bob.address)).toBe(false);

    world.network.blockDirectLinks = false;
    const dialsBefore = world.network.dials;
    await carol.messenger.deliverAll();
    await waitFor(() => texts(bob, alice.address).length === 1, 'bob to get the message after the second dial');
    expect(world.network.dials).toBeGreaterThan(dialsBefore);
    expect(texts(bob, alice.address)).toEqual(['after a failed dial']);
  });

  it('retries handing on after the recipient failed to store', async () => {
    const world: CarryWorld = { network: new MemoryNetwork(), clock: new TestClock() };
    const trio = await startTrio(world);
    const { alice, carol } = trio;
    let { bob } = trio;
    await sendPastDirectTimeout(world, alice, bob, 'second attempt');
    stopCarryPeer(world, alice);

    bob.storage.failWrites = true;
    bob = await startCarryPeer(world, 'Bob', bob);
    await waitFor(() => bob.messenger.isConnected(carol.address), 'bob and carol to link');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(texts(bob, alice.address)).toEqual([]);
    expect(carol.carried.rows.size).toBe(1);

    bob.storage.failWrites = false;
    await carol.messenger.deliverAll();
    await waitFor(() => texts(bob, alice.address).length === 1, 'bob to store the message');
    // What Carol still holds is Bob's receipt for Alice, not the message.
    await waitFor(() => [...carol.carried.rows.values()].every((row) => row.tag !== carryTag(bob.address)), 'carol to delete her copy');
    expect([...carol.carried.rows.values()].map((row) => row.tag)).toEqual([carryTag(alice.address)]);
  });

  it('rejects and counts an envelope the carrier altered', async () => {
    const world: CarryWorld = { network: new MemoryNetwork(), clock: new TestClock() };
    const trio = await startTrio(world);
    const { alice, carol } = trio;
    let { bob } = trio;
    await sendPastDirectTimeout(world, alice, bob, 'do not touch');
    stopCarryPeer(world, alice);

    const [row] = [...carol.carried.rows.values()];
    if (!row) throw new Error('carol holds no envelope');
    row.envelope[row.envelope.length - 5]! ^= 0x01;

    bob = await startCarryPeer(world, 'Bob', bob);
    await waitFor(() => bob.messenger.stats.rejectedEnvelopes === 1, 'bob to reject the envelope');
    expect(texts(bob, alice.address)).toEqual([]);
    await waitFor(() => carol.carried.rows.size === 0, 'carol to drop the envelope');
  });

  it('gives a long-carried message to the mailbox too', async () => {
    const world: CarryWorld = { network: new MemoryNetwork(), clock: new TestClock(), mailbox: new MemoryMailboxServer() };
    const { alice, bob, carol } = await startTrio(world);
    await sendPastDirectTimeout(world, alice, bob, 'carol may never meet bob');
    expect(carol.carried.rows.size).toBe(1);
    expect(world.mailbox?.count(bob.address)).toBe(0);

    world.clock.offsetMs += CARRIED_MAILBOX_DELAY_MS;
    await alice.messenger.deliverAll();

    expect(world.mailbox?.count(bob.address)).toBe(1);
    expect(alice.storage.conversation(bob.address)[0]?.mailboxedAt).toBeTypeOf('number');
  });

  it('does not hand messages to a contact who turned carrying off', async () => {
    const world: CarryWorld = { network: new MemoryNetwork(), clock: new TestClock(), mailbox: new MemoryMailboxServer() };
    const { alice, bob, carol } = await startTrio(world);
    await carol.messenger.peerCourier?.saveCarryForContacts(false);

    await sendPastDirectTimeout(world, alice, bob, 'not for carol');

    // Carol said she does not carry, so Alice offered her nothing and she saw no tag.
    expect(carol.carried.rows.size).toBe(0);
    expect(alice.courier.stats.rejectedOffers).toBe(0);
    expect(world.mailbox?.count(bob.address)).toBe(1);
  });
});
