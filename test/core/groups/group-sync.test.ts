import { afterEach, describe, expect, it } from 'vitest';
import { epochOf } from '../../../src/core/groups/group-context.ts';
import { loadGroupContext } from '../../../src/core/groups/group-context.ts';
import { sealGroupMessage } from '../../../src/core/groups/group-message.ts';
import { openBundle } from '../../../src/core/groups/key-bundle.ts';
import { signEntry } from '../../../src/core/groups/membership-log.ts';
import { PairKeys } from '../../../src/core/groups/pair-keys.ts';
import { toBase64Url } from '../../../src/core/bytes.ts';
import { signCard } from '../../../src/core/card.ts';
import { createIdentity } from '../../../src/core/identity.ts';
import { randomBytes } from '../helpers.ts';
import { MemoryNetwork } from '../memory-network.ts';
import { stopAllPeers, stopPeer, waitFor } from '../messenger-peers.ts';
import type { GroupPeer } from './group-peers.ts';
import { refreshWatches, startGroupPeer } from './group-peers.ts';

afterEach(() => stopAllPeers());

async function threeMembers(): Promise<{ network: MemoryNetwork; alice: GroupPeer; bob: GroupPeer; carol: GroupPeer; group: string }> {
  const network = new MemoryNetwork();
  const alice = await startGroupPeer(network, 'Alice');
  const bob = await startGroupPeer(network, 'Bob');
  const carol = await startGroupPeer(network, 'Carol');
  const record = await alice.groups.service.create('Crew', [bob.card, carol.card]);
  await refreshWatches(alice, bob, carol);

  for (const peer of [bob, carol]) {
    await waitFor(() => peer.groupStorage.groups.get(record.id)?.currentEpoch !== undefined, `${peer.card.displayName} to get the group key`);
  }

  return { network, alice, bob, carol, group: record.id };
}

function forgeText(author: GroupPeer, claimedSender: string, epoch: NonNullable<ReturnType<typeof epochOf>>, seq: number, text: string): unknown {
  const pairKeys = new PairKeys(author.messenger.identity!.boxSecretKey);

  return sealGroupMessage(epoch, pairKeys, randomBytes, {
    sender: claimedSender,
    seq,
    content: { k: 'text', id: toBase64Url(randomBytes(16)), sentAt: Date.now(), text },
  });
}

async function currentEpoch(peer: GroupPeer, group: string): Promise<NonNullable<ReturnType<typeof epochOf>>> {
  const context = await loadGroupContext(peer.groupStorage, group);
  const record = peer.groupStorage.groups.get(group);
  const row = record?.currentEpoch ? context.bundles.get(record.currentEpoch) : undefined;
  const epoch = row && epochOf(row, context.state);
  if (!epoch) throw new Error('peer has no current epoch');

  return epoch;
}

describe('group sync', () => {
  it('delivers messages to every member with the sender named', async () => {
    const { alice, bob, carol, group } = await threeMembers();

    await alice.groups.service.sendText(group, 'hello crew');
    await waitFor(() => bob.groupStorage.texts(group).length === 1 && carol.groupStorage.texts(group).length === 1, 'the first message');
    await bob.groups.service.sendText(group, 'hi Alice');
    await waitFor(() => alice.groupStorage.texts(group).length === 2 && carol.groupStorage.texts(group).length === 2, 'the reply');

    expect(carol.groupStorage.texts(group)).toEqual(['hello crew', 'hi Alice']);
    const senders = [...carol.groupStorage.messages.values()].map((row) => row.sender);
    expect(senders).toEqual([alice.address, bob.address]);
    expect(carol.groupStorage.groups.get(group)?.unreadCount).toBe(2);
    expect(carol.groupStorage.groups.get(group)?.name).toBe('Crew');
  });

  it('gives every member the same group key, sealed to each pair', async () => {
    const { alice, bob, carol, group } = await threeMembers();
    const keys = [alice, bob, carol].map((peer) => {
      const record = peer.groupStorage.groups.get(group);
      return peer.groupStorage.bundles.get(record?.currentEpoch ?? '')?.key;
    });

    expect(keys[0]).toBeInstanceOf(Uint8Array);
    expect(keys[1]).toEqual(keys[0]);
    expect(keys[2]).toEqual(keys[0]);
    // Alice sealed the key to Bob, Carol and herself, and keeps those pair keys for restarts.
    expect([...alice.groupStorage.pairKeys.values()].filter((row) => row.owner === alice.address)).toHaveLength(3);
  });

  it('rotates the key on removal so the removed member reads nothing after it', async () => {
    const { alice, bob, carol, group } = await threeMembers();
    const oldEpoch = alice.groupStorage.groups.get(group)?.currentEpoch;
    await alice.groups.service.sendText(group, 'before');
    await waitFor(() => carol.groupStorage.texts(group).length === 1, 'the message before removal');

    await alice.groups.service.removeMember(group, carol.address);
    await waitFor(() => bob.groupStorage.groups.get(group)?.currentEpoch !== oldEpoch && bob.groupStorage.groups.get(group)?.currentEpoch !== undefined, 'Bob to get the new key');
    await waitFor(() => carol.groupStorage.groups.get(group)?.isMember === false, 'Carol to learn of her removal');
    await alice.groups.service.sendText(group, 'after');
    await waitFor(() => bob.groupStorage.texts(group).length === 2, 'the message after removal');

    const newEpoch = bob.groupStorage.groups.get(group)?.currentEpoch ?? '';
    const newBundle = alice.groupStorage.bundles.get(newEpoch)?.bundle;
    expect(newBundle?.members).not.toContain(carol.address);
    expect(newBundle && openBundle(newBundle, carol.address, alice.card.wire.boxKey, new PairKeys(carol.messenger.identity!.boxSecretKey))).toBeUndefined();
    expect(carol.groupStorage.bundles.get(newEpoch)?.key).toBeUndefined();
    expect(carol.groupStorage.texts(group)).toEqual(['before']);
    expect(carol.groupStorage.groups.get(group)?.currentEpoch).toBeUndefined();
    await expect(carol.groups.service.sendText(group, 'still here?')).rejects.toThrow('you are not a member of this group');
  });

  it('rejects a message whose sender is forged by another member', async () => {
    const { alice, bob, carol, group } = await threeMembers();
    const epoch = await currentEpoch(bob, group);
    const forged = forgeText(bob, alice.address, epoch, 1, 'I am Alice');

    carol.groups.sync.receive(bob.card, { k: 'msg', message: forged });
    await carol.groups.sync.idle();

    expect(carol.groups.sync.stats.rejectedMessages).toBe(1);
    expect(carol.groupStorage.texts(group)).toEqual([]);

    // The same construction under Bob's own name passes, so the forgery failed on the sender alone.
    carol.groups.sync.receive(bob.card, { k: 'msg', message: forgeText(bob, bob.address, epoch, 1, 'I am Bob') });
    await carol.groups.sync.idle();
    expect(carol.groupStorage.texts(group)).toEqual(['I am Bob']);
  });

  it('ignores a membership change signed by a member who is not an admin', async () => {
    const { alice, bob, carol, group } = await threeMembers();
    const context = await loadGroupContext(carol.groupStorage, group);
    const forged = signEntry(bob.messenger.identity!, { group, parents: context.log.heads(), at: Date.now(), op: { k: 'remove', member: alice.address, lastSeq: 0 } });

    carol.groups.sync.receive(bob.card, { k: 'log', group, entries: [forged.entry] });
    await carol.groups.sync.idle();

    expect(carol.groups.sync.stats.rejectedEntries).toBe(1);
    expect(carol.groupStorage.log.has(forged.hash)).toBe(false);
    expect(carol.groupStorage.groups.get(group)?.roster.find((member) => member.address === alice.address)?.isMember).toBe(true);
  });

  it('refuses a back-dated message under the old key from a removed member', async () => {
    const { alice, bob, carol, group } = await threeMembers();
    await carol.groups.service.sendText(group, 'from carol');
    await waitFor(() => alice.groupStorage.texts(group).length === 1 && bob.groupStorage.texts(group).length === 1, "Carol's message");
    const oldEpoch = await currentEpoch(carol, group);

    await alice.groups.service.removeMember(group, carol.address);
    await waitFor(() => bob.groupStorage.groups.get(group)?.roster.find((member) => member.address === carol.address)?.isMember === false, 'Bob to see the removal');
    const removal = [...bob.groupStorage.log.values()].find((row) => row.entry.op.k === 'remove');
    expect(removal?.entry.op).toMatchObject({ k: 'remove', member: carol.address, lastSeq: 1 });

    // Carol still holds the old key and her pair keys, and claims the message was sent earlier.
    const backDated = forgeText(carol, carol.address, oldEpoch, 2, 'sent before, honestly');
    bob.groups.sync.receive(carol.card, { k: 'msg', message: backDated });
    await bob.groups.sync.idle();

    expect(bob.groups.sync.stats.rejectedMessages).toBe(1);
    expect(bob.groupStorage.texts(group)).toEqual(['from carol']);
  });

  it('lets a member who was away catch up from another member while the author is offline', async () => {
    const { network, alice, bob, carol, group } = await threeMembers();
    const carolStores = { storage: carol.storage, groupStorage: carol.groupStorage };
    stopPeer(network, carol);

    await alice.groups.service.sendText(group, 'one');
    await alice.groups.service.sendText(group, 'two');
    await waitFor(() => bob.groupStorage.texts(group).length === 2, 'Bob to get both messages');
    stopPeer(network, alice);

    const carolAgain = await startGroupPeer(network, 'Carol', carolStores);
    await waitFor(() => carolAgain.groupStorage.texts(group).length === 2, 'Carol to catch up from Bob', 5000);

    expect(carolAgain.groupStorage.texts(group)).toEqual(['one', 'two']);
    expect([...carolAgain.groupStorage.messages.values()].every((row) => row.sender === alice.address)).toBe(true);
    expect(carolAgain.messenger.isConnected(alice.address)).toBe(false);
  });

  it('redials a member after failed dial', async () => {
    const { network, alice, bob, carol, group } = await threeMembers();
    const carolStores = { storage: carol.storage, groupStorage: carol.groupStorage };
    stopPeer(network, carol);
    await alice.groups.service.sendText(group, 'missed');
    await waitFor(() => bob.groupStorage.texts(group).length === 1, 'Bob to get the message');
    stopPeer(network, alice);

    network.blockDirectLinks = true;
    const carolAgain = await startGroupPeer(network, 'Carol', carolStores);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(carolAgain.messenger.isConnected(bob.address)).toBe(false);

    network.blockDirectLinks = false;
    await carolAgain.messenger.deliverAll();
    await waitFor(() => carolAgain.groupStorage.texts(group).length === 1, 'Carol to catch up after the second dial', 5000);
    expect(carolAgain.groupStorage.texts(group)).toEqual(['missed']);
  });

  it('keeps announcement posts to admins and collects read receipts', async () => {
    const { alice, bob, carol, group } = await threeMembers();
    await alice.groups.service.setAnnouncement(group, true);
    await waitFor(() => bob.groupStorage.groups.get(group)?.isAnnouncement === true, 'Bob to see announcement mode');

    await expect(bob.groups.service.sendText(group, 'may I?')).rejects.toThrow('only admins post in announcement mode');
    const post = await alice.groups.service.sendText(group, 'doors open at 9');
    await waitFor(() => bob.groupStorage.texts(group).length === 1, 'the announcement');
    await bob.groups.service.sendReadReceipt(group, [post.id]);
    await waitFor(() => [...alice.groupStorage.messages.values()].some((row) => row.kind === 'read' && row.sender === bob.address), 'the read receipt');

    const receipt = [...alice.groupStorage.messages.values()].find((row) => row.kind === 'read');
    expect(receipt?.readIds).toEqual([post.id]);
    expect(carol.groupStorage.texts(group)).toEqual(['doors open at 9']);
  });

  it('adds a member through a join link once an admin approves', async () => {
    const { network, alice, bob, group } = await threeMembers();
    const dave = await startGroupPeer(network, 'Dave');
    const link = await alice.groups.service.joinLink('http://127.0.0.1:8080/', group);

    await dave.groups.service.requestJoin(link);
    await refreshWatches(dave);
    await waitFor(() => alice.groupStorage.joinRequests.size === 1, 'the join request');
    expect(dave.groupStorage.groups.has(group)).toBe(false);

    await alice.groups.service.approveJoin(group, dave.address);
    await waitFor(() => dave.groupStorage.groups.get(group)?.currentEpoch !== undefined, 'Dave to get the group key');
    await bob.groups.service.sendText(group, 'welcome Dave');
    await waitFor(() => dave.groupStorage.texts(group).length === 1, 'Dave to get a message');

    expect(dave.groupStorage.pendingJoins.size).toBe(0);
    expect(alice.groupStorage.joinRequests.size).toBe(0);
  });

  it('merges edits made by two admins apart and rotates the key once more', async () => {
    const { network, alice, bob, carol, group } = await threeMembers();
    const dave = await startGroupPeer(network, 'Dave');
    await alice.groups.service.setAdmin(group, bob.address, true);
    await waitFor(() => bob.groupStorage.groups.get(group)?.roster.find((member) => member.address === bob.address)?.isAdmin === true, 'Bob to become an admin');
    const bobStores = { storage: bob.storage, groupStorage: bob.groupStorage };
    stopPeer(network, bob);

    await alice.groups.service.removeMember(group, carol.address);
    await bob.groups.service.addMembers(group, [dave.card.wire]);
    const bobAgain = await startGroupPeer(network, 'Bob', bobStores);
    await refreshWatches(alice, bobAgain, dave);

    const membersOf = (peer: GroupPeer): string[] => (peer.groupStorage.groups.get(group)?.roster ?? []).filter((member) => member.isMember).map((member) => member.address).sort();
    const expected = [alice.address, bob.address, dave.address].sort();
    await waitFor(() => membersOf(alice).join() === expected.join() && membersOf(bobAgain).join() === expected.join(), 'both admins to merge the log');
    await waitFor(() => {
      const aliceEpoch = alice.groupStorage.groups.get(group)?.currentEpoch;
      return aliceEpoch !== undefined && aliceEpoch === bobAgain.groupStorage.groups.get(group)?.currentEpoch && dave.groupStorage.groups.get(group)?.currentEpoch === aliceEpoch;
    }, 'everyone to agree on the key after the merge', 5000);

    expect(alice.groupStorage.groups.get(group)?.heads).toEqual(bobAgain.groupStorage.groups.get(group)?.heads);
    const epoch = alice.groupStorage.groups.get(group)?.currentEpoch ?? '';
    expect(alice.groupStorage.bundles.get(epoch)?.bundle.members).toEqual(expected);

    await alice.groups.service.sendText(group, 'after the merge');
    await waitFor(() => dave.groupStorage.texts(group).length === 1 && bobAgain.groupStorage.texts(group).includes('after the merge'), 'the message after the merge');
    expect(carol.groupStorage.texts(group)).not.toContain('after the merge');
  });

  it('syncs a group of 256 members inside the frame limit', { timeout: 120_000 }, async () => {
    const network = new MemoryNetwork();
    const alice = await startGroupPeer(network, 'Alice');
    const bob = await startGroupPeer(network, 'Bob');
    // Long names make the add entries large. Cards go unverified here, which halves the run time.
    const others = Array.from({ length: 254 }, (_, index) => signCard(createIdentity(`Festival volunteer ${index} of the north gate team`, randomBytes, 1)));
    const created = await alice.groups.service.create('Festival staff', [bob.card]);
    const record = await alice.groups.service.addMembers(created.id, others);
    await refreshWatches(alice, bob);

    await waitFor(() => bob.groupStorage.groups.get(record.id)?.currentEpoch !== undefined, 'Bob to get the key of the large group', 60_000);
    await alice.groups.service.sendText(record.id, 'gates open');
    await waitFor(() => bob.groupStorage.texts(record.id).length === 1, 'the message in the large group', 30_000);

    expect(bob.groupStorage.groups.get(record.id)?.roster.filter((member) => member.isMember)).toHaveLength(256);
    expect(bob.messenger.stats.rejectedFrames).toBe(0);
    expect(alice.messenger.stats.rejectedFrames).toBe(0);
  });
});
