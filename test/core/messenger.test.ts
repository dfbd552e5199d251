import { afterEach, describe, expect, it } from 'vitest';
import { InviteError } from '../../src/core/errors.ts';
import { MemoryNetwork } from './memory-network.ts';
import { startPeer, statuses, stopAllPeers, stopPeer, texts, waitFor } from './messenger-peers.ts';

afterEach(() => stopAllPeers());

describe('messenger', () => {
  it('delivers a first message as a request carrying the sender card', async () => {
    const network = new MemoryNetwork();
    const alice = await startPeer(network, 'Alice');
    const bob = await startPeer(network, 'Bob');

    await alice.messenger.addContactFromInvite(bob.messenger.inviteLink());
    await alice.messenger.sendText(bob.address, 'hi bob');

    await waitFor(() => texts(bob, alice.address).length === 1, 'bob to store the message');
    const request = bob.storage.contacts.get(alice.address);
    expect(request?.state).toBe('request');
    expect(request?.displayName).toBe('Alice');
    expect(request?.unreadCount).toBe(1);
    await waitFor(() => statuses(alice, bob.address)[0] === 'delivered', 'alice to see delivered');
  });

  it('lets both sides chat after the request is accepted', async () => {
    const network = new MemoryNetwork();
    const alice = await startPeer(network, 'Alice');
    const bob = await startPeer(network, 'Bob');
    await alice.messenger.addContactFromInvite(bob.messenger.inviteLink());
    await alice.messenger.sendText(bob.address, 'one');
    await waitFor(() => texts(bob, alice.address).length === 1, 'first message');

    await bob.messenger.acceptRequest(alice.address);
    await bob.messenger.sendText(alice.address, 'two');
    await alice.messenger.sendText(bob.address, 'three');

    await waitFor(() => texts(alice, bob.address).length === 3 && texts(bob, alice.address).length === 3, 'all messages');
    expect(bob.storage.contacts.get(alice.address)?.state).toBe('contact');
    expect(texts(bob, alice.address)).toContain('two');
  });

  it('queues messages for an offline peer and delivers them once, in order, when it returns', async () => {
    const network = new MemoryNetwork();
    const alice = await startPeer(network, 'Alice');
    let bob = await startPeer(network, 'Bob');
    await alice.messenger.addContactFromInvite(bob.messenger.inviteLink());
    stopPeer(network, bob);

    for (const text of ['first', 'second', 'third']) await alice.messenger.sendText(bob.address, text);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(statuses(alice, bob.address)).toEqual(['queued', 'queued', 'queued']);

    bob = await startPeer(network, 'Bob', bob.storage);
    await waitFor(() => statuses(alice, bob.address).every((status) => status === 'delivered'), 'delivered');
    expect(texts(bob, alice.address)).toEqual(['first', 'second', 'third']);
  });

  it('puts messages sent into a dead link back in the queue', async () => {
    const network = new MemoryNetwork();
    const alice = await startPeer(network, 'Alice');
    const bob = await startPeer(network, 'Bob');
    await alice.messenger.addContactFromInvite(bob.messenger.inviteLink());
    await alice.messenger.sendText(bob.address, 'hello');
    await waitFor(() => statuses(alice, bob.address)[0] === 'delivered', 'first delivery');

    // Bob's device dies: his channel stays open on Alice's side but carries nothing.
    await alice.messenger.sendText(bob.address, 'into the void');
    network.silence(bob.address);
    await alice.messenger.sendText(bob.address, 'after the relay noticed');

    await waitFor(() => !alice.messenger.isConnected(bob.address), 'the probe to close the link', 6000);
    await waitFor(() => statuses(alice, bob.address).slice(1).every((status) => status === 'queued'), 'requeued', 1000);
    expect(statuses(alice, bob.address)).toEqual(['delivered', 'queued', 'queued']);
  });

  it('stores messages in the order they were sent', async () => {
    const network = new MemoryNetwork();
    const alice = await startPeer(network, 'Alice');
    const bob = await startPeer(network, 'Bob');
    await alice.messenger.addContactFromInvite(bob.messenger.inviteLink());
    const sent = Array.from({ length: 40 }, (_, index) => `message ${index}`);

    for (const text of sent) await alice.messenger.sendText(bob.address, text);

    await waitFor(() => texts(bob, alice.address).length === sent.length, 'all messages');
    expect(texts(bob, alice.address)).toEqual(sent);
    expect(bob.storage.conversation(alice.address).map((message) => message.seq)).toEqual(sent.map((_, index) => index + 1));
  });

  it('stores a message resent after a lost acknowledgement only once', async () => {
    const network = new MemoryNetwork();
    const alice = await startPeer(network, 'Alice');
    let bob = await startPeer(network, 'Bob');
    await alice.messenger.addContactFromInvite(bob.messenger.inviteLink());
    await bob.messenger.addContactFromInvite(alice.messenger.inviteLink());

    // Alice's storage cannot record the receipt, so her outbox keeps the message.
    const originalMarkDelivered = alice.storage.markDelivered.bind(alice.storage);
    alice.storage.markDelivered = async () => {};
    await alice.messenger.sendText(bob.address, 'only once');
    await waitFor(() => texts(bob, alice.address).length === 1, 'first copy');

    stopPeer(network, bob);
    alice.storage.markDelivered = originalMarkDelivered;
    bob = await startPeer(network, 'Bob', bob.storage);

    await waitFor(() => statuses(alice, bob.address)[0] === 'delivered', 'delivered after resend');
    expect(texts(bob, alice.address)).toEqual(['only once']);
  });

  it('drops messages from a blocked sender before storage', async () => {
    const network = new MemoryNetwork();
    const alice = await startPeer(network, 'Alice');
    const bob = await startPeer(network, 'Bob');
    await alice.messenger.addContactFromInvite(bob.messenger.inviteLink());
    await alice.messenger.sendText(bob.address, 'hello');
    await waitFor(() => texts(bob, alice.address).length === 1, 'request');

    await bob.messenger.block(alice.address);
    await alice.messenger.sendText(bob.address, 'are you there?');
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(texts(bob, alice.address)).toEqual(['hello']);
    expect(bob.messenger.stats.droppedFromBlocked).toBeGreaterThan(0);
  });

  it('sends no plaintext on the data channel', async () => {
    const network = new MemoryNetwork();
    const alice = await startPeer(network, 'Alice');
    const bob = await startPeer(network, 'Bob');
    const secret = 'the meeting point is the north gate';
    await alice.messenger.addContactFromInvite(bob.messenger.inviteLink());
    await alice.messenger.sendText(bob.address, secret);
    await waitFor(() => texts(bob, alice.address).length === 1, 'delivery');

    const wire = network.wire.map((frame) => Buffer.from(frame).toString('latin1')).join('\n');
    expect(network.wire.length).toBeGreaterThan(3);
    expect(wire).not.toContain(secret);
    expect(wire).not.toContain('north gate');
    expect(wire).not.toContain('Alice');
  });

  it('keeps the message in the sender outbox when the receiver cannot store it', async () => {
    const network = new MemoryNetwork();
    const alice = await startPeer(network, 'Alice');
    const bob = await startPeer(network, 'Bob');
    await alice.messenger.addContactFromInvite(bob.messenger.inviteLink());
    bob.storage.failWrites = true;

    await alice.messenger.sendText(bob.address, 'disk is full');
    await waitFor(() => network.wire.length > 3, 'the message on the wire');
    await new Promise((resolve) => setTimeout(resolve, 30));

    // Bob closes the link after the failed write, so the message may be back in 'queued'.
    expect(statuses(alice, bob.address)[0]).toMatch(/^(queued|sent)$/);
    expect(alice.storage.outbox.size).toBe(1);
    expect(texts(bob, alice.address)).toEqual([]);
  });

  it('drops a tampered frame, counts it and delivers the message on the next link', async () => {
    const network = new MemoryNetwork();
    const alice = await startPeer(network, 'Alice');
    const bob = await startPeer(network, 'Bob');
    await alice.messenger.addContactFromInvite(bob.messenger.inviteLink());
    network.tamper = (frame) => {
      // Flip one bit in the first data frame (kind 4) and then stop tampering.
      if (frame[1] !== 4) return frame;
      network.tamper = undefined;
      frame[frame.length - 1] = (frame[frame.length - 1] ?? 0) ^ 1;
      return frame;
    };

    await alice.messenger.sendText(bob.address, 'survives tampering');
    await waitFor(() => bob.messenger.stats.rejectedFrames === 1, 'the tampered frame to be rejected');
    expect(texts(bob, alice.address)).toEqual([]);

    await alice.messenger.deliverAll();
    await waitFor(() => statuses(alice, bob.address)[0] === 'delivered', 'delivery on a new link');
    expect(texts(bob, alice.address)).toEqual(['survives tampering']);
  });

  it('dials nobody while the contact stays offline, however often it retries', async () => {
    const network = new MemoryNetwork();
    const alice = await startPeer(network, 'Alice');
    const bob = await startPeer(network, 'Bob');
    await alice.messenger.addContactFromInvite(bob.messenger.inviteLink());
    stopPeer(network, bob);
    const dialsBefore = network.dials;

    await alice.messenger.sendText(bob.address, 'anyone there?');
    for (let attempt = 0; attempt < 1000; attempt++) await alice.messenger.deliverAll();

    expect(network.dials).toBe(dialsBefore);
    expect(statuses(alice, bob.address)).toEqual(['queued']);
  });

  it('rejects a malformed invite and changes nothing', async () => {
    const network = new MemoryNetwork();
    const alice = await startPeer(network, 'Alice');

    await expect(alice.messenger.addContactFromInvite('http://x/#/invite/v1.bm90LWpzb24')).rejects.toThrow(InviteError);
    expect(alice.storage.contacts.size).toBe(0);
  });

  it('opens one link when both sides dial at once', async () => {
    const network = new MemoryNetwork();
    const alice = await startPeer(network, 'Alice');
    const bob = await startPeer(network, 'Bob');
    await alice.messenger.addContactFromInvite(bob.messenger.inviteLink());
    await bob.messenger.addContactFromInvite(alice.messenger.inviteLink());

    await Promise.all([alice.messenger.sendText(bob.address, 'from alice'), bob.messenger.sendText(alice.address, 'from bob')]);

    await waitFor(() => texts(alice, bob.address).length === 2 && texts(bob, alice.address).length === 2, 'both messages');
    await waitFor(() => alice.messenger.isConnected(bob.address) && bob.messenger.isConnected(alice.address), 'one link');
    await waitFor(() => statuses(alice, bob.address).includes('delivered'), 'the acknowledgement');
    expect(statuses(alice, bob.address).filter((status) => status !== 'received')).toEqual(['delivered']);
  });

  it('keeps a ready link when the losing dial arrives late', async () => {
    const network = new MemoryNetwork();
    const alice = await startPeer(network, 'Alice');
    const bob = await startPeer(network, 'Bob');
    const [low, high] = alice.address < bob.address ? [alice, bob] : [bob, alice];
    // No link opens when the two become contacts, so the only channels are the two dials below.
    network.blockDirectLinks = true;
    await low.messenger.addContactFromInvite(high.messenger.inviteLink());
    await high.messenger.addContactFromInvite(low.messenger.inviteLink());
    network.blockDirectLinks = false;
    const dialsBefore = network.dials;
    // Both dial at once. The higher address loses the tie and drops its dial, which reaches the
    // other side only after the winning link is ready there, as a slow offer does.
    network.channelDelayMs = (from) => (from === high.address ? 150 : 0);

    network.dialFrom(low.address, high.address);
    network.dialFrom(high.address, low.address);
    await new Promise((resolve) => setTimeout(resolve, 400));

    expect(low.messenger.isConnected(high.address)).toBe(true);
    expect(high.messenger.isConnected(low.address)).toBe(true);
    await low.messenger.sendText(high.address, 'after the crossed dials');
    await waitFor(() => texts(high, low.address).includes('after the crossed dials'), 'the message');
    expect(network.dials - dialsBefore).toBe(2);
  });

});
