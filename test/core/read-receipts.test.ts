import { afterEach, describe, expect, it } from 'vitest';
import { FrameError } from '../../src/core/errors.ts';
import { decodePayload, encodePayload } from '../../src/core/messages.ts';
import { utf8 } from '../../src/core/bytes.ts';
import { MemoryNetwork } from './memory-network.ts';
import { startPeer, statuses, stopAllPeers, stopPeer, waitFor } from './messenger-peers.ts';
import type { Peer } from './messenger-peers.ts';

afterEach(() => stopAllPeers());

async function startContacts(network: MemoryNetwork): Promise<[Peer, Peer]> {
  const alice = await startPeer(network, 'Alice');
  const bob = await startPeer(network, 'Bob');
  await alice.messenger.addContactFromInvite(bob.messenger.inviteLink());
  await bob.messenger.addContactFromInvite(alice.messenger.inviteLink());

  return [alice, bob];
}

function incomingReadAt(peer: Peer, conversation: string): (number | undefined)[] {
  return peer.storage
    .conversation(conversation)
    .filter((message) => message.direction === 'in')
    .map((message) => message.readAt);
}

describe('read receipts', () => {
  it('move a message from queued through delivered to read', async () => {
    const network = new MemoryNetwork();
    const [alice, initialBob] = await startContacts(network);
    stopPeer(network, initialBob);

    await alice.messenger.sendText(initialBob.address, 'hello');
    expect(statuses(alice, initialBob.address)).toEqual(['queued']);

    const bob = await startPeer(network, 'Bob', initialBob.storage);
    await waitFor(() => statuses(alice, bob.address)[0] === 'delivered', 'delivered');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(statuses(alice, bob.address)).toEqual(['delivered']);

    await bob.messenger.markConversationRead(alice.address);
    await waitFor(() => statuses(alice, bob.address)[0] === 'read', 'read');
    expect(incomingReadAt(bob, alice.address)[0]).toBeTypeOf('number');
  });

  it('mark a message read on arrival in the chat on screen', async () => {
    const network = new MemoryNetwork();
    const [alice, bob] = await startContacts(network);
    bob.messenger.setConversationShown(alice.address, true);

    await alice.messenger.sendText(bob.address, 'seen at once');
    await waitFor(() => statuses(alice, bob.address)[0] === 'read', 'read without a mark from the chat');

    expect(incomingReadAt(bob, alice.address)[0]).toBeTypeOf('number');
    expect(bob.storage.contacts.get(alice.address)?.unreadCount).toBe(0);
  });

  it('leave messages unread once the chat is hidden', async () => {
    const network = new MemoryNetwork();
    const [alice, bob] = await startContacts(network);
    bob.messenger.setConversationShown(alice.address, true);
    bob.messenger.setConversationShown(alice.address, false);

    await alice.messenger.sendText(bob.address, 'waits to be read');
    await waitFor(() => statuses(alice, bob.address)[0] === 'delivered', 'delivered');
    await new Promise((resolve) => setTimeout(resolve, 30));

    expect(incomingReadAt(bob, alice.address)).toEqual([undefined]);
    expect(bob.storage.contacts.get(alice.address)?.unreadCount).toBe(1);
    expect(statuses(alice, bob.address)).toEqual(['delivered']);
  });

  it('leave a message request unread although its chat is on screen', async () => {
    const network = new MemoryNetwork();
    const alice = await startPeer(network, 'Alice');
    const bob = await startPeer(network, 'Bob');
    await alice.messenger.addContactFromInvite(bob.messenger.inviteLink());
    bob.messenger.setConversationShown(alice.address, true);

    await alice.messenger.sendText(bob.address, 'may I write to you');
    await waitFor(() => statuses(alice, bob.address)[0] === 'delivered', 'delivered');
    await new Promise((resolve) => setTimeout(resolve, 30));

    expect(bob.storage.contacts.get(alice.address)?.state).toBe('request');
    expect(incomingReadAt(bob, alice.address)).toEqual([undefined]);
    expect(statuses(alice, bob.address)).toEqual(['delivered']);
  });

  it('send nothing while switched off', async () => {
    const network = new MemoryNetwork();
    const [alice, bob] = await startContacts(network);
    await bob.messenger.setReadReceiptsEnabled(false);
    await alice.messenger.sendText(bob.address, 'hello');
    await waitFor(() => statuses(alice, bob.address)[0] === 'delivered', 'delivered');

    await bob.messenger.markConversationRead(alice.address);
    await new Promise((resolve) => setTimeout(resolve, 30));

    expect(await bob.messenger.areReadReceiptsEnabled()).toBe(false);
    expect(bob.storage.settings.get('readReceipts')).toBe(false);
    expect(incomingReadAt(bob, alice.address)[0]).toBeTypeOf('number');
    expect(bob.storage.contacts.get(alice.address)?.pendingReadReceipts).toBeUndefined();
    expect(statuses(alice, bob.address)).toEqual(['delivered']);
  });

  it('go out once a link opens', async () => {
    const network = new MemoryNetwork();
    const [initialAlice, bob] = await startContacts(network);
    await initialAlice.messenger.sendText(bob.address, 'hello');
    await waitFor(() => statuses(initialAlice, bob.address)[0] === 'delivered', 'delivered');
    stopPeer(network, initialAlice);

    await bob.messenger.markConversationRead(initialAlice.address);
    expect(bob.storage.contacts.get(initialAlice.address)?.pendingReadReceipts).toHaveLength(1);

    const alice = await startPeer(network, 'Alice', initialAlice.storage);
    await alice.messenger.deliverAll();
    await bob.messenger.deliverAll();
    await waitFor(() => statuses(alice, bob.address)[0] === 'read', 'read after reconnect');
    expect(bob.storage.contacts.get(alice.address)?.pendingReadReceipts).toBeUndefined();
  });

  it('survive a link that dies while they are sent', async () => {
    const network = new MemoryNetwork();
    const [initialAlice, bob] = await startContacts(network);
    await initialAlice.messenger.sendText(bob.address, 'hello');
    await waitFor(() => statuses(initialAlice, bob.address)[0] === 'delivered', 'delivered');

    // Alice's device dies without closing the link, so the receipts go into a link no one reads.
    network.silence(initialAlice.address);
    await bob.messenger.markConversationRead(initialAlice.address);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(statuses(initialAlice, bob.address)).toEqual(['delivered']);
    expect(bob.storage.contacts.get(initialAlice.address)?.pendingReadReceipts).toHaveLength(1);

    stopPeer(network, initialAlice);
    const alice = await startPeer(network, 'Alice', initialAlice.storage);
    await alice.messenger.deliverAll();
    await bob.messenger.deliverAll();
    await waitFor(() => statuses(alice, bob.address)[0] === 'read', 'read after the dead link');
    await waitFor(() => bob.storage.contacts.get(alice.address)?.pendingReadReceipts === undefined, 'receipts confirmed');
  });

  it('stay pending until the sender confirms them', async () => {
    const network = new MemoryNetwork();
    const [alice, bob] = await startContacts(network);
    await alice.messenger.sendText(bob.address, 'hello');
    await waitFor(() => statuses(alice, bob.address)[0] === 'delivered', 'delivered');
    alice.storage.failWrites = true;

    await bob.messenger.markConversationRead(alice.address);
    await new Promise((resolve) => setTimeout(resolve, 20));

    expect(statuses(alice, bob.address)).toEqual(['delivered']);
    expect(bob.storage.contacts.get(alice.address)?.pendingReadReceipts).toHaveLength(1);
  });

  it('mark each incoming message read only once', async () => {
    const network = new MemoryNetwork();
    const [alice, bob] = await startContacts(network);
    await alice.messenger.sendText(bob.address, 'one');
    await waitFor(() => incomingReadAt(bob, alice.address).length === 1, 'first message');
    await bob.messenger.markConversationRead(alice.address);
    const firstReadAt = incomingReadAt(bob, alice.address)[0];

    await alice.messenger.sendText(bob.address, 'two');
    await waitFor(() => incomingReadAt(bob, alice.address).length === 2, 'second message');
    await new Promise((resolve) => setTimeout(resolve, 5));
    await bob.messenger.markConversationRead(alice.address);

    expect(incomingReadAt(bob, alice.address)[0]).toBe(firstReadAt);
    await waitFor(() => statuses(alice, bob.address).every((status) => status === 'read'), 'both read');
  });

  it('reject a read payload with invalid ids', () => {
    expect(decodePayload(encodePayload({ t: 'read', ids: ['message-0001'] }))).toEqual({ t: 'read', ids: ['message-0001'] });
    expect(() => decodePayload(utf8(JSON.stringify({ t: 'read', ids: [] })))).toThrow(FrameError);
    expect(() => decodePayload(utf8(JSON.stringify({ t: 'read', ids: ['bad id!'] })))).toThrow(FrameError);
    expect(() => decodePayload(utf8(JSON.stringify({ t: 'read' })))).toThrow(FrameError);
  });

  it('reject a read-ack payload with invalid ids', () => {
    expect(decodePayload(encodePayload({ t: 'read-ack', ids: ['message-0001'] }))).toEqual({ t: 'read-ack', ids: ['message-0001'] });
    expect(() => decodePayload(utf8(JSON.stringify({ t: 'read-ack', ids: [] })))).toThrow(FrameError);
    expect(() => decodePayload(utf8(JSON.stringify({ t: 'read-ack', ids: ['bad id!'] })))).toThrow(FrameError);
  });
});
