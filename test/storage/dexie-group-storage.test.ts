import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { GroupMessageRow, GroupRecord } from '../../src/core/groups/group-types.ts';
import { DexieGroupStorage } from '../../src/storage/dexie-group-storage.ts';
import { deleteTestDatabases, freshDatabase } from './fixtures.ts';

const OWN = 'mt1own';
const GROUP = 'g'.repeat(43);

afterEach(deleteTestDatabases);

function freshStorage(): DexieGroupStorage {
  return new DexieGroupStorage(freshDatabase());
}

function groupRecord(changes: Partial<GroupRecord> = {}): GroupRecord {
  return { id: GROUP, name: 'Crew', isAnnouncement: false, roster: [], heads: [], isMember: true, ownSeq: 0, createdAt: 1, lastActivityAt: 1, unreadCount: 0, ...changes };
}

function messageRow(sender: string, seq: number, kind: GroupMessageRow['kind'] = 'text'): GroupMessageRow {
  return {
    group: GROUP,
    id: `${sender}-${seq}`,
    sender,
    seq,
    epoch: 'e'.repeat(22),
    sentAt: seq,
    storedAt: 100 + seq,
    kind,
    text: `text ${seq}`,
    wire: { v: 1, group: GROUP, epoch: 'e'.repeat(22), sender, seq, nonce: 'n', ct: 'c', tags: 't' },
  };
}

describe('DexieGroupStorage', () => {
  it('stores each (group, sender, seq) once and counts unread texts from others', async () => {
    const storage = freshStorage();
    await storage.putGroup(groupRecord());

    const first = await storage.storeGroupMessages([messageRow('mt1bob', 1), messageRow('mt1bob', 2), messageRow(OWN, 1)], OWN);
    const again = await storage.storeGroupMessages([messageRow('mt1bob', 2), messageRow('mt1bob', 3), messageRow('mt1bob', 3)], OWN);

    expect(first).toEqual(['stored', 'stored', 'stored']);
    expect(again).toEqual(['duplicate', 'stored', 'duplicate']);
    expect((await storage.getGroup(GROUP))?.unreadCount).toBe(3);
    expect((await storage.getGroup(GROUP))?.lastActivityAt).toBe(103);
  });

  it('lists a sender\'s messages above a sequence number, lowest first', async () => {
    const storage = freshStorage();
    await storage.putGroup(groupRecord());
    await storage.storeGroupMessages([messageRow('mt1bob', 3), messageRow('mt1bob', 1), messageRow('mt1bob', 2), messageRow('mt1cat', 5)], OWN);

    const rows = await storage.listSenderMessages(GROUP, 'mt1bob', 1, 10);
    const keys = await storage.listMessageKeys(GROUP);

    expect(rows.map((row) => row.seq)).toEqual([2, 3]);
    expect(keys).toHaveLength(4);
    expect(keys).toContainEqual({ sender: 'mt1cat', seq: 5 });
  });

  it('keeps counters when the derived state is stored again', async () => {
    const storage = freshStorage();
    await storage.putGroup(groupRecord());
    expect(await storage.nextOwnSeq(GROUP)).toBe(1);
    expect(await storage.nextOwnSeq(GROUP)).toBe(2);
    await storage.storeGroupMessages([messageRow('mt1bob', 1)], OWN);

    await storage.putGroup(groupRecord({ name: 'Renamed', lastActivityAt: 50 }));
    const record = await storage.getGroup(GROUP);

    expect(record?.name).toBe('Renamed');
    expect(record?.ownSeq).toBe(2);
    expect(record?.unreadCount).toBe(1);
    expect(record?.lastActivityAt).toBe(101);
  });

  it('rejects the next sequence number of an unknown group', async () => {
    const storage = freshStorage();

    await expect(storage.nextOwnSeq(GROUP)).rejects.toThrow('group not found');
  });
});
