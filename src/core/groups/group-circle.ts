/**
 * The carry circle of the group layer: members of a group this user is in may carry sealed
 * one-to-one envelopes for each other through the messenger's store-and-forward, although they
 * are not contacts. Only current members of groups that this user is still in count.
 */

import type { CarryCircle } from '../carry-policy.ts';
import type { GroupStorage } from './group-types.ts';

export function createGroupCircle(storage: GroupStorage, ownAddress: () => string): CarryCircle {
  /** Current members of each group this user is a member of, without this user. */
  const sharedGroups = async (): Promise<Array<Set<string>>> => {
    const own = ownAddress();
    const groups = await storage.listGroups();

    return groups
      .filter((group) => group.isMember)
      .map((group) => new Set(group.roster.filter((member) => member.isMember && member.address !== own).map((member) => member.address)));
  };

  return {
    async carriersFor(recipient: string): Promise<string[]> {
      const carriers = new Set<string>();
      for (const members of await sharedGroups()) {
        if (!members.has(recipient)) continue;
        for (const member of members) if (member !== recipient) carriers.add(member);
      }

      return [...carriers];
    },
    async carriesFor(peer: string): Promise<boolean> {
      return (await sharedGroups()).some((members) => members.has(peer));
    },
    async recipients(): Promise<string[]> {
      return [...new Set((await sharedGroups()).flatMap((members) => [...members]))];
    },
  };
}
