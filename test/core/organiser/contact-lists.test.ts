import { afterEach, describe, expect, it } from 'vitest';
import { JoinLinkError } from '../../../src/core/organiser/join-link.ts';
import { MemoryNetwork } from '../memory-network.ts';
import { waitFor } from '../messenger-peers.ts';
import { chatTexts, fallbacks, startOrganiserPeer, stopAllOrganiserPeers } from './organiser-peers.ts';

afterEach(() => stopAllOrganiserPeers());

describe('contact lists', () => {
  it('files a person who opens the join link as a contact in the list', async () => {
    const network = new MemoryNetwork();
    const olivia = await startOrganiserPeer(network, 'Olivia');
    const dan = await startOrganiserPeer(network, 'Dan');
    const list = await olivia.organiser.lists.create('  Volunteers ');

    const organiserAddress = await dan.organiser.lists.join(await olivia.organiser.lists.joinLink(list.id));

    expect(organiserAddress).toBe(olivia.address);
    expect(dan.storage.contacts.get(olivia.address)?.state).toBe('contact');
    await waitFor(() => olivia.organiserStorage.members.length === 1, 'the join to arrive');
    expect(list.name).toBe('Volunteers');
    expect(olivia.organiserStorage.members[0]?.address).toBe(dan.address);
    expect(olivia.storage.contacts.get(dan.address)?.state).toBe('contact');

    await olivia.organiser.broadcasts.send('Welcome {name}', { listIds: [list.id] }, fallbacks);
    await waitFor(() => chatTexts(dan, olivia.address).length === 1, 'the broadcast');
    expect(chatTexts(dan, olivia.address)).toEqual(['Welcome Dan']);
  });

  it('makes only a message request from a revoked join link', async () => {
    const network = new MemoryNetwork();
    const olivia = await startOrganiserPeer(network, 'Olivia');
    const dan = await startOrganiserPeer(network, 'Dan');
    const list = await olivia.organiser.lists.create('Volunteers');
    const oldLink = await olivia.organiser.lists.joinLink(list.id);
    await olivia.organiser.lists.revokeJoinLinks(list.id);

    await dan.organiser.lists.join(oldLink);

    await waitFor(() => olivia.storage.contacts.get(dan.address) !== undefined, 'the join to arrive');
    await waitFor(() => dan.storage.outbox.size === 0, 'the receipt');
    expect(olivia.storage.contacts.get(dan.address)?.state).toBe('request');
    expect(olivia.organiserStorage.members).toEqual([]);
  });

  it('keeps a joiner who claims a contact\'s name a request', async () => {
    const network = new MemoryNetwork();
    const olivia = await startOrganiserPeer(network, 'Olivia');
    const dan = await startOrganiserPeer(network, 'Dan');
    const impostor = await startOrganiserPeer(network, 'Dan');
    await olivia.messenger.addContactFromInvite(dan.messenger.inviteLink());
    const list = await olivia.organiser.lists.create('Volunteers');

    await impostor.organiser.lists.join(await olivia.organiser.lists.joinLink(list.id));

    await waitFor(() => olivia.organiserStorage.members.length === 1, 'the join to arrive');
    expect(olivia.storage.contacts.get(impostor.address)?.state).toBe('request');
    expect(olivia.storage.contacts.get(impostor.address)?.claimsNameOf).toBe(dan.address);
    const preview = await olivia.organiser.broadcasts.preview('Hi', { listIds: [list.id] }, fallbacks);
    expect(preview.map((row) => row.outcome)).toEqual(['not-accepted']);
  });

  it('rejects joining one\'s own list and a tampered link', async () => {
    const network = new MemoryNetwork();
    const olivia = await startOrganiserPeer(network, 'Olivia');
    const dan = await startOrganiserPeer(network, 'Dan');
    const list = await olivia.organiser.lists.create('Volunteers');
    const link = await olivia.organiser.lists.joinLink(list.id);

    await expect(olivia.organiser.lists.join(link)).rejects.toThrow(RangeError);
    await expect(dan.organiser.lists.join(`${link.slice(0, -12)}AAAAAAAAAAAA`)).rejects.toThrow(JoinLinkError);
    expect(dan.storage.contacts.size).toBe(0);
  });

  it('rejects empty and too long list names', async () => {
    const network = new MemoryNetwork();
    const olivia = await startOrganiserPeer(network, 'Olivia');

    await expect(olivia.organiser.lists.create('   ')).rejects.toThrow('the list name is empty');
    await expect(olivia.organiser.lists.create('x'.repeat(65))).rejects.toThrow('longer than 64');
    expect(olivia.organiserStorage.lists.size).toBe(0);
  });

  it('deletes a list with its memberships but keeps the contacts', async () => {
    const network = new MemoryNetwork();
    const olivia = await startOrganiserPeer(network, 'Olivia');
    const dan = await startOrganiserPeer(network, 'Dan');
    await olivia.messenger.addContactFromInvite(dan.messenger.inviteLink());
    const list = await olivia.organiser.lists.create('Volunteers');
    await olivia.organiser.lists.addMembers(list.id, [dan.address]);

    await olivia.organiser.lists.delete(list.id);

    expect(olivia.organiserStorage.members).toEqual([]);
    expect(olivia.storage.contacts.has(dan.address)).toBe(true);
  });
});
