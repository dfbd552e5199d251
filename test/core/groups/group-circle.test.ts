import { describe, expect, it } from 'vitest';
import { createGroupCircle } from '../../../src/core/groups/group-circle.ts';
import type { GroupRecord, RosterEntry } from '../../../src/core/groups/group-types.ts';
import { MemoryGroupStorage } from '../memory-group-storage.ts';

function member(address: string, isMember = true): RosterEntry {
  return { address, displayName: address, card: { v: 1, name: address, signingKey: '', boxKey: '', signature: '' }, isMember, isAdmin: false };
}

function group(id: string, roster: RosterEntry[], isMember = true): GroupRecord {
  return { id, name: id, isAnnouncement: false, roster, heads: [], isMember, ownSeq: 0, createdAt: 1, lastActivityAt: 1, unreadCount: 0 };
}

describe('group carry circle', () => {
  it('names fellow current members of groups this user is in', async () => {
    const storage = new MemoryGroupStorage();
    await storage.putGroup(group('crew', [member('me'), member('bob'), member('carol'), member('dave', false)]));
    await storage.putGroup(group('left', [member('me', false), member('erin')], false));
    const circle = createGroupCircle(storage, () => 'me');

    expect((await circle.carriersFor('bob')).sort()).toEqual(['carol']);
    expect(await circle.carriersFor('erin')).toEqual([]);
    expect(await circle.carriesFor('carol')).toBe(true);
    expect(await circle.carriesFor('dave')).toBe(false);
    expect(await circle.carriesFor('erin')).toBe(false);
    expect((await circle.recipients()).sort()).toEqual(['bob', 'carol']);
  });
});
