import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { GroupMessageRow, GroupRecord, LogRow } from '../../../src/core/groups/group-types.ts';
import type { MeshtextDatabase } from '../../../src/storage/database.ts';
import { openDatabase } from '../../../src/storage/database.ts';
import { buildTimeline } from '../../../src/ui/groups/group-timeline.ts';
import { groupHistorySource, readGroupDetails } from '../../../src/ui/groups/group-window.ts';

const opened: MeshtextDatabase[] = [];
let databaseCount = 0;

function freshDatabase(): MeshtextDatabase {
  const db = openDatabase(`meshtext-group-window-test-${databaseCount++}`);
  opened.push(db);

  return db;
}

afterEach(async () => {
  for (const db of opened.splice(0)) {
    db.close();
    await db.delete();
  }
});

function text(seq: number, storedAt: number, group = 'group-1'): GroupMessageRow {
  return {
    group,
    id: `text-${group}-${seq}`,
    sender: 'mt1alice',
    seq,
    epoch: 'bundle-1',
    sentAt: storedAt,
    storedAt,
    kind: 'text',
    text: `message ${seq}`,
    wire: { v: 1, group, epoch: 'bundle-1', sender: 'mt1alice', seq, nonce: 'nonce', ct: 'ciphertext', tags: 'tags' },
  };
}

function receipt(seq: number, storedAt: number, readIds: string[]): GroupMessageRow {
  return { ...text(seq, storedAt), sender: 'mt1bob', id: `read-${seq}`, kind: 'read', text: undefined, readIds };
}

function logEntry(hash: string, storedAt: number): LogRow {
  return {
    group: 'group-1',
    hash,
    storedAt,
    entry: { v: 1, group: 'group-1', parents: [], author: 'mt1alice', at: storedAt, op: { k: 'rename', name: `name at ${storedAt}` }, sig: '' },
  };
}

describe('group history source', () => {
  it('pages through text messages only, skipping receipts and other groups', async () => {
    const db = freshDatabase();
    const texts = Array.from({ length: 10 }, (_, index) => text(index + 1, 100 + index * 10));
    await db.groupMessages.bulkAdd([...texts, receipt(50, 105, ['text-group-1-1']), receipt(51, 195, ['text-group-1-10']), text(1, 300, 'group-2')]);
    const source = groupHistorySource(db, 'group-1');

    const latest = await source.readLatest(3);
    const older = await source.readOlder(latest[0]!.storedAt, 3);
    const range = await source.readRange({ from: 120, to: 150 });

    expect(latest.map((row) => row.seq)).toEqual([8, 9, 10]);
    expect(older.map((row) => row.seq)).toEqual([7, 6, 5]);
    expect(range.map((row) => row.seq)).toEqual([3, 4, 5, 6]);
    expect(source.keyOf(latest[0]!)).toBe('m:mt1alice:8');
  });

  it('reads log entries within the bounds and receipts from the lower bound on', async () => {
    const db = freshDatabase();
    await db.groupLog.bulkAdd([logEntry('before', 50), logEntry('inside', 120), logEntry('after', 400)]);
    await db.groupMessages.bulkAdd([receipt(1, 60, ['old']), receipt(2, 130, ['a']), receipt(3, 500, ['b'])]);

    const bounded = await readGroupDetails(db, 'group-1', { from: 100, to: 200 });
    const open = await readGroupDetails(db, 'group-1', { from: Number.NEGATIVE_INFINITY, to: undefined });

    expect(bounded.log.map((row) => row.hash)).toEqual(['inside']);
    expect(bounded.reads.map((row) => row.readIds)).toEqual([['a'], ['b']]);
    expect(open.log.map((row) => row.hash)).toEqual(['before', 'inside', 'after']);
    expect(open.reads).toHaveLength(3);
  });
});

describe('buildTimeline', () => {
  it('interleaves membership events with messages by time', () => {
    const group = { id: 'group-1', roster: [{ address: 'mt1alice', displayName: 'Alice' }] } as unknown as GroupRecord;

    const items = buildTimeline(
      { messages: [text(1, 100), text(2, 300)], reads: [receipt(9, 310, ['text-group-1-2'])], log: [logEntry('middle', 200), logEntry('first', 50)] },
      group,
      'mt1alice',
    );

    expect(items.map((item) => item.key)).toEqual(['e:first', 'm:mt1alice:1', 'e:middle', 'm:mt1alice:2']);
    const last = items[3];
    expect(last?.kind).toBe('message');
    expect(last?.kind === 'message' ? last.readBy : undefined).toEqual(['Someone']);
  });
});
