import { describe, expect, it } from 'vitest';
import type { LogRow } from '../../../src/core/groups/group-types.ts';
import type { GroupOp } from '../../../src/core/groups/membership-log.ts';
import { describeEntry } from '../../../src/ui/groups/group-timeline.ts';
import type { NameRole } from '../../../src/ui/groups/group-timeline.ts';

const names: Record<string, string> = { alice: 'Alice', bob: 'Bob' };

/** Names Bob as the reader of the timeline would see him: "You" or "you". */
function nameOf(address: string, role: NameRole = 'subject'): string {
  if (address === 'bob') return role === 'object' ? 'you' : 'You';

  return names[address] ?? 'Someone';
}

function row(author: string, op: GroupOp): LogRow {
  return { group: 'group-1', hash: 'hash-1', storedAt: 1, entry: { v: 1, group: 'group-1', parents: [], author, at: 1, op, sig: '' } };
}

describe('describeEntry', () => {
  it('writes the reader as object in lower case', () => {
    expect(describeEntry(row('alice', { k: 'remove', member: 'bob', lastSeq: 3 }), nameOf)).toBe('Alice removed you');
  });

  it('writes the reader as subject in capitals', () => {
    expect(describeEntry(row('bob', { k: 'remove', member: 'alice', lastSeq: 3 }), nameOf)).toBe('You removed Alice');
  });

  it('names an admin change for the reader', () => {
    expect(describeEntry(row('alice', { k: 'admin', member: 'bob', isAdmin: true }), nameOf)).toBe('Alice made you an admin');
  });
});
