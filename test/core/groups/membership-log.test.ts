import { describe, expect, it } from 'vitest';
import { toBase64Url } from '../../../src/core/bytes.ts';
import { signCard } from '../../../src/core/card.ts';
import { GroupDataError } from '../../../src/core/groups/group-errors.ts';
import type { GroupOp, WireEntry } from '../../../src/core/groups/membership-log.ts';
import { MembershipLog, signEntry, verifyEntry } from '../../../src/core/groups/membership-log.ts';
import type { Identity } from '../../../src/core/identity.ts';
import { makeUser, randomBytes } from '../helpers.ts';

const alice = makeUser('Alice');
const bob = makeUser('Bob');
const carol = makeUser('Carol');
const dave = makeUser('Dave');
const erin = makeUser('Erin');

type Row = { hash: string; entry: WireEntry };

function create(author: Identity, at = 1): Row {
  return signEntry(author, { group: '', parents: [], at, op: { k: 'create', name: 'Crew', nonce: toBase64Url(randomBytes(16)), announce: false, card: signCard(author) } });
}

function append(log: MembershipLog, author: Identity, op: GroupOp, parents = log.heads(), at = 2): Row {
  const row = signEntry(author, { group: log.groupId ?? '', parents, at, op });
  log.accept(row.hash, row.entry);

  return row;
}

/** A log where Alice created the group, added Bob, Carol and Dave, and made Bob an admin. */
function baseLog(): { log: MembershipLog; rows: Row[] } {
  const log = new MembershipLog();
  const rows: Row[] = [];
  const root = create(alice.identity);
  log.accept(root.hash, root.entry);
  rows.push(root);
  rows.push(append(log, alice.identity, { k: 'add', cards: [bob.card.wire, carol.card.wire, dave.card.wire] }));
  rows.push(append(log, alice.identity, { k: 'admin', member: bob.identity.address, isAdmin: true }));

  return { log, rows };
}

function replay(rows: Row[]): MembershipLog {
  const log = new MembershipLog();
  for (const row of rows) log.accept(row.hash, row.entry);

  return log;
}

describe('membership log', () => {
  it('verifies a signed entry and rejects an altered one', () => {
    const { rows } = baseLog();
    const added = rows[1]!;

    expect(verifyEntry(JSON.parse(JSON.stringify(added.entry))).hash).toBe(added.hash);
    const altered = { ...added.entry, at: added.entry.at + 1 };
    expect(() => verifyEntry(altered)).toThrow(GroupDataError);
  });

  it('ignores a change signed by a member who is not an admin', () => {
    const { log } = baseLog();
    const forged = signEntry(carol.identity, { group: log.groupId ?? '', parents: log.heads(), at: 3, op: { k: 'remove', member: alice.identity.address, lastSeq: 0 } });

    expect(() => log.accept(forged.hash, forged.entry)).toThrow('entry author is not an admin');
    expect(log.has(forged.hash)).toBe(false);
    expect(log.state().members.has(alice.identity.address)).toBe(true);
    expect(log.state().members.size).toBe(4);
  });

  it('rejects an entry that follows an unknown entry', () => {
    const { log } = baseLog();
    const orphan = signEntry(alice.identity, { group: log.groupId ?? '', parents: [toBase64Url(randomBytes(32))], at: 3, op: { k: 'rename', name: 'Other' } });

    expect(() => log.accept(orphan.hash, orphan.entry)).toThrow('unknown entry');
  });

  it('merges concurrent admin edits the same way in any order, removal winning', () => {
    const { log, rows } = baseLog();
    const fork = log.heads();
    // Alice, apart from Bob, adds Erin; Bob adds Erin and then removes her; Bob also renames.
    const aliceAdd = append(log, alice.identity, { k: 'add', cards: [erin.card.wire] }, fork, 10);
    const bobAdd = append(log, bob.identity, { k: 'add', cards: [erin.card.wire] }, fork, 11);
    const bobRemove = append(log, bob.identity, { k: 'remove', member: erin.identity.address, lastSeq: 0 }, [bobAdd.hash], 12);
    const aliceRemoveDave = append(log, alice.identity, { k: 'remove', member: dave.identity.address, lastSeq: 4 }, [aliceAdd.hash], 13);
    const bobPromoteDave = append(log, bob.identity, { k: 'admin', member: dave.identity.address, isAdmin: true }, [bobRemove.hash], 14);
    const branchA = [aliceAdd, aliceRemoveDave];
    const branchB = [bobAdd, bobRemove, bobPromoteDave];

    const oneWay = replay([...rows, ...branchA, ...branchB]);
    const otherWay = replay([...rows, ...branchB, ...branchA]);

    for (const merged of [oneWay, otherWay]) {
      const state = merged.state();
      expect(state.members.has(erin.identity.address)).toBe(false);
      expect(state.members.has(dave.identity.address)).toBe(false);
      expect(state.admins.has(dave.identity.address)).toBe(false);
      expect([...state.members].sort()).toEqual([alice.identity.address, bob.identity.address, carol.identity.address].sort());
      expect(state.removals.get(dave.identity.address)).toEqual([{ hash: aliceRemoveDave.hash, lastSeq: 4 }]);
    }
    expect(oneWay.heads()).toEqual(otherWay.heads());
    expect(oneWay.heads()).toHaveLength(2);
  });

  it('takes the later concurrent rename, then the larger hash', () => {
    const { log } = baseLog();
    const fork = log.heads();
    append(log, alice.identity, { k: 'rename', name: 'Early' }, fork, 20);
    append(log, bob.identity, { k: 'rename', name: 'Late' }, fork, 30);

    expect(log.state().name).toBe('Late');
  });

  it('lets a re-add after a removal stand', () => {
    const { log } = baseLog();
    append(log, alice.identity, { k: 'remove', member: carol.identity.address, lastSeq: 0 });
    append(log, alice.identity, { k: 'add', cards: [carol.card.wire] });

    expect(log.state().members.has(carol.identity.address)).toBe(true);
  });

  it('rejects a create entry whose card is not its author\'s', () => {
    const entry = signEntry(alice.identity, { group: '', parents: [], at: 1, op: { k: 'create', name: 'Crew', nonce: toBase64Url(randomBytes(16)), announce: false, card: bob.card.wire } });

    expect(() => new MembershipLog().accept(entry.hash, entry.entry)).toThrow("create entry card is not its author's");
  });

  it('rejects malformed entries with a named reason', () => {
    const { rows } = baseLog();
    const base = rows[1]!.entry;

    expect(() => verifyEntry(null)).toThrow('entry is not an object');
    expect(() => verifyEntry({ ...base, v: 2 })).toThrow('unsupported entry version 2');
    expect(() => verifyEntry({ ...base, op: { k: 'explode' } })).toThrow('unknown entry operation');
    expect(() => verifyEntry({ ...base, op: { k: 'add', cards: [] } })).toThrow('added cards are invalid');
    expect(() => verifyEntry({ ...base, parents: ['x'] })).toThrow('entry parents are invalid');
  });
});
