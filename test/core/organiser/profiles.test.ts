import { afterEach, describe, expect, it } from 'vitest';
import { verifyCard } from '../../../src/core/card.ts';
import { MemoryNetwork } from '../memory-network.ts';
import { stopPeer, waitFor } from '../messenger-peers.ts';
import { befriend, startOrganiserPeer, stopAllOrganiserPeers } from './organiser-peers.ts';

afterEach(() => stopAllOrganiserPeers());

const avatar = `data:image/jpeg;base64,${'A'.repeat(400)}`;

describe('profiles', () => {
  it('shares name, status and avatar with contacts', async () => {
    const network = new MemoryNetwork();
    const alice = await startOrganiserPeer(network, 'Alice');
    const bob = await startOrganiserPeer(network, 'Bob');
    await befriend(alice, bob);

    const count = await alice.organiser.profile.update({ displayName: 'Alice Stage', status: 'At the main stage', avatar });

    expect(count).toBe(1);
    await waitFor(() => bob.storage.contacts.get(alice.address)?.status === 'At the main stage', 'the profile update');
    const contact = bob.storage.contacts.get(alice.address);
    expect(contact?.displayName).toBe('Alice Stage');
    expect(contact?.avatar).toBe(avatar);
    expect(alice.messenger.identity?.displayName).toBe('Alice Stage');
    expect(bob.storage.conversation(alice.address)).toEqual([]);
  });

  it('queues the update for an offline contact and sends only the latest', async () => {
    const network = new MemoryNetwork();
    const alice = await startOrganiserPeer(network, 'Alice');
    const bob = await startOrganiserPeer(network, 'Bob');
    await befriend(alice, bob);
    stopPeer(network, bob);

    await alice.organiser.profile.update({ displayName: 'Alice', status: 'first', avatar });
    await alice.organiser.profile.update({ displayName: 'Alice', status: 'second' });
    const waiting = [...alice.storage.messages.values()].filter((message) => message.control?.kind === 'profile');
    expect(waiting.map((message) => message.status)).toEqual(['cancelled', 'queued']);

    const bobAgain = await startOrganiserPeer(network, 'Bob', { storage: bob.storage });
    await waitFor(() => bobAgain.storage.contacts.get(alice.address)?.status === 'second', 'the queued update');
    expect(bobAgain.storage.contacts.get(alice.address)?.avatar).toBeUndefined();
  });

  it('rejects an oversized status or a foreign avatar', async () => {
    const network = new MemoryNetwork();
    const alice = await startOrganiserPeer(network, 'Alice');

    await expect(alice.organiser.profile.update({ displayName: 'Alice', status: 'x'.repeat(141) })).rejects.toThrow(RangeError);
    await expect(alice.organiser.profile.update({ displayName: 'Alice', status: '', avatar: 'data:image/svg+xml;base64,AAAA' })).rejects.toThrow(RangeError);
    await expect(alice.organiser.profile.update({ displayName: 'Alice', status: '', avatar: `data:image/png;base64,${'A'.repeat(13_000)}` })).rejects.toThrow(RangeError);
    expect(alice.organiserStorage.profile).toBeUndefined();
  });

  it('ignores a profile card for another address', async () => {
    const network = new MemoryNetwork();
    const alice = await startOrganiserPeer(network, 'Alice');
    const bob = await startOrganiserPeer(network, 'Bob');
    const mallory = await startOrganiserPeer(network, 'Mallory');
    await befriend(alice, bob);

    const results = await bob.organiser.inbox.store(
      verifyCard(alice.messenger.ownCard()),
      [{ t: 'msg', id: 'profile-000001', instance: 'instance-0001', seq: 9, sentAt: Date.now(), text: '', control: { kind: 'profile', card: mallory.messenger.ownCard(), status: 'hijacked' } }],
      async () => [],
    );

    expect(results).toEqual(['dropped']);
    expect(bob.storage.contacts.get(alice.address)?.displayName).toBe('Alice');
    expect(bob.storage.contacts.get(alice.address)?.status).toBeUndefined();
  });
});
