import nacl from 'tweetnacl';
import { afterEach, describe, expect, it } from 'vitest';
import { DIRECT_DELIVERY_TIMEOUT_MS } from '../../../src/core/messenger.ts';
import type { ChatPayload } from '../../../src/core/messages.ts';
import { toBase64Url } from '../../../src/core/bytes.ts';
import { MemoryMailboxServer } from '../memory-mailbox.ts';
import { MemoryNetwork } from '../memory-network.ts';
import { MemoryStorage } from '../memory-storage.ts';
import { waitFor } from '../messenger-peers.ts';
import { makeUser } from '../helpers.ts';
import { befriend, chatTexts, startOrganiserPeer, stopAllOrganiserPeers, TestClock } from './organiser-peers.ts';

afterEach(() => stopAllOrganiserPeers());

/** MemoryStorage that counts every write, to prove that nothing was stored. */
class CountingStorage extends MemoryStorage {
  writes: string[] = [];

  override async putContact(...args: Parameters<MemoryStorage['putContact']>): Promise<void> {
    this.writes.push('putContact');
    return super.putContact(...args);
  }

  override async updateContact(...args: Parameters<MemoryStorage['updateContact']>): Promise<void> {
    this.writes.push('updateContact');
    return super.updateContact(...args);
  }

  override async storeIncoming(...args: Parameters<MemoryStorage['storeIncoming']>): ReturnType<MemoryStorage['storeIncoming']> {
    this.writes.push('storeIncoming');
    return super.storeIncoming(...args);
  }

  override async queueOutgoing(...args: Parameters<MemoryStorage['queueOutgoing']>): ReturnType<MemoryStorage['queueOutgoing']> {
    this.writes.push('queueOutgoing');
    return super.queueOutgoing(...args);
  }
}

function payload(fields: Partial<ChatPayload>): ChatPayload {
  return { t: 'msg', id: toBase64Url(nacl.randomBytes(16)), instance: 'instance-0001', seq: 1, sentAt: Date.now(), text: '', ...fields };
}

describe('block', () => {
  it('drops chats and controls from a blocked contact before any write', async () => {
    const network = new MemoryNetwork();
    const storage = new CountingStorage();
    const bob = await startOrganiserPeer(network, 'Bob', { storage });
    const mallory = makeUser('Mallory');
    await bob.messenger.addContactFromInvite(
      `http://127.0.0.1:8080/#/invite/v1.${toBase64Url(new TextEncoder().encode(JSON.stringify({ v: 1, card: mallory.card.wire, address: mallory.card.address, relays: [] })))}`,
    );
    await bob.messenger.block(mallory.card.address);
    const list = await bob.organiser.lists.create('Crew');
    storage.writes = [];
    let passedOn = 0;

    const results = await bob.organiser.inbox.store(
      mallory.card,
      [
        payload({ text: 'let me in' }),
        payload({ seq: 2, text: 'a broadcast', broadcast: true }),
        payload({ seq: 3, control: { kind: 'profile', card: mallory.card.wire, status: 'new status' } }),
        payload({ seq: 4, control: { kind: 'opt-out' } }),
        payload({ seq: 5, control: { kind: 'join', list: list.id, token: list.joinToken } }),
      ],
      async (chats) => {
        passedOn += chats.length;
        return chats.map(() => 'stored');
      },
    );

    expect(results).toEqual(['blocked', 'blocked', 'blocked', 'blocked', 'blocked']);
    expect(passedOn).toBe(0);
    expect(storage.writes).toEqual([]);
    expect(bob.organiserStorage.members).toEqual([]);
    expect(storage.contacts.get(mallory.card.address)?.status).toBeUndefined();
  });

  it('drops a blocked contact\'s profile update from the mailbox before storage', async () => {
    const network = new MemoryNetwork();
    const server = new MemoryMailboxServer();
    network.blockDirectLinks = true;
    const storage = new CountingStorage();
    const clock = new TestClock();
    const alice = await startOrganiserPeer(network, 'Alice', { mailboxServer: server, clock });
    const bob = await startOrganiserPeer(network, 'Bob', { storage, mailboxServer: server, clock });
    await befriend(alice, bob);
    await bob.messenger.block(alice.address);
    storage.writes = [];

    await alice.organiser.profile.update({ displayName: 'Alice', status: 'on the stage' });
    await alice.messenger.deliverAll();
    clock.offsetMs += DIRECT_DELIVERY_TIMEOUT_MS;
    await alice.messenger.deliverAll();
    // The mailbox tells Bob at once, and he collects and discards the envelope.
    await waitFor(() => server.puts === 1 && server.count(bob.address) === 0, 'bob to discard the envelope', 5000);
    await bob.messenger.collectMailbox();

    expect(server.count(bob.address)).toBe(0);
    expect(storage.writes).toEqual([]);
    expect(bob.storage.contacts.get(alice.address)?.status).toBeUndefined();
    expect(bob.messenger.stats.droppedFromBlocked).toBe(1);
  });

  it('lets messages through again after unblocking', async () => {
    const network = new MemoryNetwork();
    const alice = await startOrganiserPeer(network, 'Alice');
    const bob = await startOrganiserPeer(network, 'Bob');
    await befriend(alice, bob);
    await bob.messenger.block(alice.address);
    await bob.messenger.refreshWatchList();

    await bob.organiser.unblock(alice.address);
    await alice.messenger.sendText(bob.address, 'friends again');

    await waitFor(() => chatTexts(bob, alice.address).length === 1, 'the message after unblocking');
    expect(bob.storage.contacts.get(alice.address)?.state).toBe('contact');
  });

  it('cancels broadcast copies queued for a contact the organiser blocked', async () => {
    const network = new MemoryNetwork();
    const alice = await startOrganiserPeer(network, 'Alice');
    const bob = await startOrganiserPeer(network, 'Bob');
    await befriend(alice, bob);
    const list = await alice.organiser.lists.create('Crew');
    await alice.organiser.lists.addMembers(list.id, [bob.address]);
    network.leave(bob.address);
    bob.messenger.stop();
    await alice.organiser.broadcasts.send('Hi {name}', { listIds: [list.id] }, { name: 'there', first: 'there' });

    await alice.messenger.block(bob.address);
    await alice.messenger.deliver(bob.address);

    expect(alice.storage.outbox.size).toBe(0);
    expect([...alice.storage.messages.values()].map((message) => message.status)).toEqual(['cancelled']);
  });
});
