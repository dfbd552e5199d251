import { afterEach, describe, expect, it } from 'vitest';
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

function membersOf(peer: GroupPeer, group: string): string[] {
  return (peer.groupStorage.groups.get(group)?.roster ?? []).filter((member) => member.isMember).map((member) => member.address).sort();
}

describe('leaving a group', () => {
  it('rotates the key for the others and keeps the leaver out', async () => {
    const { alice, bob, carol, group } = await threeMembers();
    const oldEpoch = alice.groupStorage.groups.get(group)?.currentEpoch;
    await alice.groups.service.sendText(group, 'before');
    await waitFor(() => carol.groupStorage.texts(group).length === 1, 'the message before leaving');

    const record = await carol.groups.service.leave(group);
    expect(record.isMember).toBe(false);
    expect(record.hasLeft).toBe(true);
    await waitFor(() => {
      const epoch = bob.groupStorage.groups.get(group)?.currentEpoch;
      return epoch !== undefined && epoch !== oldEpoch;
    }, 'Bob to get the key issued after Carol left');

    await alice.groups.service.sendText(group, 'after');
    await waitFor(() => bob.groupStorage.texts(group).length === 2, 'the message after leaving');
    const newEpoch = bob.groupStorage.groups.get(group)?.currentEpoch ?? '';
    expect(alice.groupStorage.bundles.get(newEpoch)?.bundle.members).not.toContain(carol.address);
    expect(membersOf(alice, group)).toEqual([alice.address, bob.address].sort());
    expect(carol.groupStorage.texts(group)).toEqual(['before']);
    await expect(carol.groups.service.sendText(group, 'still here?')).rejects.toThrow('you are not a member of this group');
    await expect(carol.groups.service.leave(group)).rejects.toThrow('you are not a member of this group');
  });

  it('hands the admin role on when the last admin leaves', async () => {
    const { alice, bob, carol, group } = await threeMembers();

    await alice.groups.service.leave(group);
    await waitFor(() => membersOf(bob, group).length === 2 && membersOf(carol, group).length === 2, 'the others to see Alice leave');

    await refreshWatches(bob, carol);
    const expectedAdmin = [bob.address, carol.address].sort()[0];
    for (const peer of [bob, carol]) {
      const admins = peer.groupStorage.groups.get(group)?.roster.filter((member) => member.isAdmin).map((member) => member.address);
      expect(admins).toEqual([expectedAdmin]);
    }
    await waitFor(() => {
      const epoch = bob.groupStorage.groups.get(group)?.currentEpoch;
      return epoch !== undefined && alice.groupStorage.bundles.get(epoch) === undefined;
    }, 'the new admin to issue a key without Alice');
    await bob.groups.service.sendText(group, 'carrying on');
    await waitFor(() => carol.groupStorage.texts(group).includes('carrying on'), 'a message under the new admin\'s key');
  });
});

describe('cancelling a join request', () => {
  it('removes the request from the admin and the pending row', async () => {
    const { network, alice, group } = await threeMembers();
    const dave = await startGroupPeer(network, 'Dave');
    const link = await alice.groups.service.joinLink('http://127.0.0.1:8080/', group);

    await dave.groups.service.requestJoin(link);
    await refreshWatches(dave);
    await waitFor(() => alice.groupStorage.joinRequests.size === 1, 'the join request');

    await dave.groups.service.cancelJoin(group);
    await waitFor(() => alice.groupStorage.joinRequests.size === 0, 'the admin to drop the request');
    expect(dave.groupStorage.pendingJoins.size).toBe(0);
    await expect(dave.groups.service.cancelJoin(group)).rejects.toThrow('no join request to this group is pending');
  });

  it('tells the admin on the next link when it was offline', async () => {
    const { network, alice, bob, carol, group } = await threeMembers();
    const dave = await startGroupPeer(network, 'Dave');
    const link = await alice.groups.service.joinLink('http://127.0.0.1:8080/', group);
    await dave.groups.service.requestJoin(link);
    await refreshWatches(dave);
    await waitFor(() => alice.groupStorage.joinRequests.size === 1, 'the join request');
    const aliceStores = { storage: alice.storage, groupStorage: alice.groupStorage };
    stopPeer(network, alice);
    // Dave's link to Alice may still be closing, so give the network a moment to drop it.
    await new Promise((resolve) => setTimeout(resolve, 50));

    await dave.groups.service.cancelJoin(group);
    expect(dave.groupStorage.pendingJoins.get(group)?.isCancelled).toBe(true);
    const aliceAgain = await startGroupPeer(network, 'Alice', aliceStores);
    await refreshWatches(aliceAgain, bob, carol, dave);

    await waitFor(() => aliceAgain.groupStorage.joinRequests.size === 0 && dave.groupStorage.pendingJoins.size === 0, 'the cancel to reach the admin', 5000);
  });
});

describe('key rotation in groups', () => {
  it('moves a rotated member to the new address in every member\'s log', async () => {
    const { network, alice, bob, carol, group } = await threeMembers();
    await alice.groups.service.setAdmin(group, bob.address, true);
    await waitFor(() => bob.groupStorage.groups.get(group)?.roster.find((member) => member.address === bob.address)?.isAdmin === true, 'Bob to become an admin');
    const oldBob = bob.messenger.identity!;

    await bob.messenger.rotateKeys();
    stopPeer(network, bob);
    const bobAgain = await startGroupPeer(network, 'Bob', { storage: bob.storage, groupStorage: bob.groupStorage });
    const changed = await bobAgain.groups.service.followOwnRotation(await bobAgain.messenger.listRetiredIdentities());
    expect(changed).toEqual([group]);
    expect(bobAgain.address).not.toBe(oldBob.address);
    await refreshWatches(alice, bobAgain, carol);

    const expected = [alice.address, bobAgain.address, carol.address].sort();
    await waitFor(() => membersOf(alice, group).join() === expected.join() && membersOf(carol, group).join() === expected.join(), 'the others to follow the rotation', 5000);
    expect(alice.groupStorage.groups.get(group)?.roster.find((member) => member.address === bobAgain.address)?.isAdmin).toBe(true);
    await waitFor(() => {
      const epoch = alice.groupStorage.groups.get(group)?.currentEpoch;
      return epoch !== undefined && epoch === bobAgain.groupStorage.groups.get(group)?.currentEpoch && epoch === carol.groupStorage.groups.get(group)?.currentEpoch;
    }, 'a key that includes the new address', 5000);

    await bobAgain.groups.service.sendText(group, 'new keys, same Bob');
    await waitFor(() => carol.groupStorage.texts(group).includes('new keys, same Bob'), 'a message from the new address');
    const sender = [...carol.groupStorage.messages.values()].find((row) => row.text === 'new keys, same Bob')?.sender;
    expect(sender).toBe(bobAgain.address);
    expect(await bobAgain.groups.service.followOwnRotation(await bobAgain.messenger.listRetiredIdentities())).toEqual([]);
  });
});
