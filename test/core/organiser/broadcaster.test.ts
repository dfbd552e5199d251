import { afterEach, describe, expect, it } from 'vitest';
import { TemplateError } from '../../../src/core/organiser/template.ts';
import { MemoryNetwork } from '../memory-network.ts';
import { stopPeer, waitFor } from '../messenger-peers.ts';
import type { OrganiserPeer } from './organiser-peers.ts';
import { befriend, chatTexts, fallbacks, startOrganiserPeer, stopAllOrganiserPeers } from './organiser-peers.ts';

afterEach(() => stopAllOrganiserPeers());

async function startTeam(network: MemoryNetwork): Promise<{ alice: OrganiserPeer; bob: OrganiserPeer; carol: OrganiserPeer; listId: string }> {
  const alice = await startOrganiserPeer(network, 'Alice');
  const bob = await startOrganiserPeer(network, 'Bob Baker');
  const carol = await startOrganiserPeer(network, 'Carol');
  await befriend(alice, bob);
  await befriend(alice, carol);
  const list = await alice.organiser.lists.create('Volunteers');
  await alice.organiser.lists.addMembers(list.id, [bob.address, carol.address]);

  return { alice, bob, carol, listId: list.id };
}

function copyStatus(peer: OrganiserPeer, broadcast: string, address: string): string | undefined {
  const recipient = peer.organiserStorage.recipientsOf(broadcast).find((candidate) => candidate.address === address);
  if (recipient?.outcome !== 'queued') return recipient?.outcome;

  return peer.storage.messages.get(recipient.messageId ?? '')?.status;
}

describe('broadcaster', () => {
  it('sends each member a personalised one-to-one copy', async () => {
    const network = new MemoryNetwork();
    const { alice, bob, carol, listId } = await startTeam(network);

    const id = await alice.organiser.broadcasts.send('Hi {first}, shift at 6', { listIds: [listId] }, fallbacks);

    await waitFor(() => chatTexts(bob, alice.address).length === 1 && chatTexts(carol, alice.address).length === 1, 'both copies');
    expect(chatTexts(bob, alice.address)).toEqual(['Hi Bob, shift at 6']);
    expect(chatTexts(carol, alice.address)).toEqual(['Hi Carol, shift at 6']);
    expect(bob.storage.conversation(alice.address)[0]?.isBroadcast).toBe(true);
    await waitFor(() => copyStatus(alice, id, bob.address) === 'delivered' && copyStatus(alice, id, carol.address) === 'delivered', 'receipts');
  });

  it('lands replies in the separate one-to-one threads', async () => {
    const network = new MemoryNetwork();
    const { alice, bob, carol, listId } = await startTeam(network);
    await alice.organiser.broadcasts.send('Coming, {name}?', { listIds: [listId] }, fallbacks);
    await waitFor(() => chatTexts(bob, alice.address).length === 1 && chatTexts(carol, alice.address).length === 1, 'both copies');

    await bob.messenger.sendText(alice.address, 'yes from bob');
    await carol.messenger.sendText(alice.address, 'no from carol');

    await waitFor(() => chatTexts(alice, bob.address).length === 2 && chatTexts(alice, carol.address).length === 2, 'replies');
    expect(chatTexts(alice, bob.address)).toEqual(['Coming, Bob Baker?', 'yes from bob']);
    expect(chatTexts(alice, carol.address)).toEqual(['Coming, Carol?', 'no from carol']);
  });

  it('rejects an unknown placeholder before storing anything', async () => {
    const network = new MemoryNetwork();
    const { alice, listId } = await startTeam(network);

    await expect(alice.organiser.broadcasts.send('Hi {nickname}', { listIds: [listId] }, fallbacks)).rejects.toThrow(TemplateError);
    expect(alice.organiserStorage.broadcasts.size).toBe(0);
    expect(alice.storage.outbox.size).toBe(0);
  });

  it('rejects a broadcast without recipients', async () => {
    const network = new MemoryNetwork();
    const alice = await startOrganiserPeer(network, 'Alice');
    const empty = await alice.organiser.lists.create('Empty');

    await expect(alice.organiser.broadcasts.send('Hello', { listIds: [empty.id] }, fallbacks)).rejects.toThrow(RangeError);
  });

  it('skips a contact who opted out when sending', async () => {
    const network = new MemoryNetwork();
    const { alice, bob, carol, listId } = await startTeam(network);
    await carol.organiser.stopBroadcasts(alice.address);
    await waitFor(() => alice.storage.contacts.get(carol.address)?.optedOutAt !== undefined, 'the opt-out to arrive');

    const preview = await alice.organiser.broadcasts.preview('Hi {name}', { listIds: [listId] }, fallbacks);
    const id = await alice.organiser.broadcasts.send('Hi {name}', { listIds: [listId] }, fallbacks);

    expect(preview.map((row) => [row.displayName, row.outcome, row.text])).toEqual([
      ['Bob Baker', 'pending', 'Hi Bob Baker'],
      ['Carol', 'opted-out', undefined],
    ]);
    expect(copyStatus(alice, id, carol.address)).toBe('opted-out');
    await waitFor(() => chatTexts(bob, alice.address).length === 1, 'bob to get his copy');
    expect(chatTexts(alice, carol.address)).toEqual([]);
    expect(chatTexts(carol, alice.address)).toEqual([]);
  });

  it('cancels a queued copy when the opt-out arrives before delivery', async () => {
    const network = new MemoryNetwork();
    const { alice, carol, listId } = await startTeam(network);
    stopPeer(network, carol);
    const id = await alice.organiser.broadcasts.send('Hi {name}', { listIds: [listId] }, fallbacks);
    expect(copyStatus(alice, id, carol.address)).toBe('queued');

    // Carol stopped Alice's broadcasts while offline; her opt-out goes out when she returns.
    await carol.storage.updateContact(alice.address, { stoppedBroadcastsAt: Date.now() });
    const carolAgain = await startOrganiserPeer(network, 'Carol', { storage: carol.storage });
    await carolAgain.organiser.stopBroadcasts(alice.address);

    await waitFor(() => copyStatus(alice, id, carol.address) === 'cancelled', 'the copy to be cancelled', 6000);
    expect(copyStatus(alice, id, carol.address)).toBe('cancelled');
    expect(alice.storage.outbox.size).toBe(0);
    expect(chatTexts(carolAgain, alice.address)).toEqual([]);
  });

  it('cancels a queued copy at send time once the contact has opted out', async () => {
    const network = new MemoryNetwork();
    const { alice, carol, listId } = await startTeam(network);
    stopPeer(network, carol);
    const id = await alice.organiser.broadcasts.send('Hi {name}', { listIds: [listId] }, fallbacks);
    const copyId = alice.organiserStorage.recipientsOf(id).find((recipient) => recipient.address === carol.address)?.messageId ?? '';
    expect(alice.storage.outbox.has(copyId)).toBe(true);

    // The opt-out is stored, as if it had been applied in another tab, without cancelling.
    await alice.storage.updateContact(carol.address, { optedOutAt: Date.now() });
    await alice.messenger.deliver(carol.address);

    expect(alice.storage.messages.get(copyId)?.status).toBe('cancelled');
    expect(alice.storage.outbox.has(copyId)).toBe(false);
  });

  it('keeps ordinary messages to a contact who opted out', async () => {
    const network = new MemoryNetwork();
    const { alice, carol } = await startTeam(network);
    await carol.organiser.stopBroadcasts(alice.address);
    await waitFor(() => alice.storage.contacts.get(carol.address)?.optedOutAt !== undefined, 'the opt-out to arrive');

    await alice.messenger.sendText(carol.address, 'a personal note');

    await waitFor(() => chatTexts(carol, alice.address).length === 1, 'the personal note');
    expect(chatTexts(carol, alice.address)).toEqual(['a personal note']);
  });

  it('drops broadcast copies at a recipient who stopped them', async () => {
    const network = new MemoryNetwork();
    const { alice, carol, listId } = await startTeam(network);
    // Carol stopped them, but Alice has not heard yet.
    await carol.storage.updateContact(alice.address, { stoppedBroadcastsAt: Date.now() });

    const id = await alice.organiser.broadcasts.send('Hi {name}', { listIds: [listId] }, fallbacks);

    await waitFor(() => copyStatus(alice, id, carol.address) === 'cancelled', 'the declined copy to show as cancelled');
    expect(chatTexts(carol, alice.address)).toEqual([]);
    expect(alice.storage.contacts.get(carol.address)?.optedOutAt).toBeDefined();
  });

  it('sends again after the contact opts back in', async () => {
    const network = new MemoryNetwork();
    const { alice, carol, listId } = await startTeam(network);
    await carol.organiser.stopBroadcasts(alice.address);
    await waitFor(() => alice.storage.contacts.get(carol.address)?.optedOutAt !== undefined, 'the opt-out');

    await carol.organiser.resumeBroadcasts(alice.address);
    await waitFor(() => alice.storage.contacts.get(carol.address)?.optedOutAt === undefined, 'the opt-in');
    await alice.organiser.broadcasts.send('Back, {name}', { listIds: [listId] }, fallbacks);

    await waitFor(() => chatTexts(carol, alice.address).length === 1, 'the copy');
    expect(chatTexts(carol, alice.address)).toEqual(['Back, Carol']);
  });

  it('ignores an opt-out older than the last choice applied', async () => {
    const network = new MemoryNetwork();
    const { alice, carol } = await startTeam(network);
    await alice.storage.updateContact(carol.address, { broadcastChoiceAt: Date.now() + 60_000 });

    await carol.organiser.stopBroadcasts(alice.address);

    await waitFor(() => carol.storage.outbox.size === 0, 'the opt-out receipt');
    expect(alice.storage.contacts.get(carol.address)?.optedOutAt).toBeUndefined();
  });

  it('resumes queuing copies left pending', async () => {
    const network = new MemoryNetwork();
    const { alice, bob } = await startTeam(network);
    await alice.organiserStorage.createBroadcast(
      { id: 'left-behind-1', template: 'Hi', listIds: [], createdAt: Date.now(), recipientCount: 1 },
      [{ broadcast: 'left-behind-1', address: bob.address, displayName: 'Bob Baker', outcome: 'pending', text: 'Hi' }],
    );

    await alice.organiser.broadcasts.resume();

    await waitFor(() => chatTexts(bob, alice.address).length === 1, 'the resumed copy');
    expect(alice.organiserStorage.recipientsOf('left-behind-1')[0]?.outcome).toBe('queued');
  });
});
