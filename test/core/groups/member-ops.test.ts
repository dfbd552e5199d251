import { describe, expect, it } from 'vitest';
import { toBase64Url } from '../../../src/core/bytes.ts';
import { signCard } from '../../../src/core/card.ts';
import { GroupDataError } from '../../../src/core/groups/group-errors.ts';
import type { GroupOp, WireEntry } from '../../../src/core/groups/membership-log.ts';
import { MembershipLog, signEntry, verifyEntry } from '../../../src/core/groups/membership-log.ts';
import type { Identity } from '../../../src/core/identity.ts';
import { signRotation } from '../../../src/core/key-rotation.ts';
import { makeUser, randomBytes } from '../helpers.ts';

const alice = makeUser('Alice');
const bob = makeUser('Bob');
const carol = makeUser('Carol');
const dave = makeUser('Dave');
const bobNext = makeUser('Bob');
const bobThird = makeUser('Bob');

type Row = { hash: string; entry: WireEntry };

/** A log where Alice created the group, added Bob, Carol and Dave, and made Bob an admin. */
function baseLog(): { log: MembershipLog; rows: Row[] } {
  const log = new MembershipLog();
  const root = signEntry(alice.identity, { group: '', parents: [], at: 1, op: { k: 'create', name: 'Crew', nonce: toBase64Url(randomBytes(16)), announce: false, card: signCard(alice.identity) } });
  log.accept(root.hash, root.entry);
  const rows: Row[] = [root];
  rows.push(append(log, alice.identity, { k: 'add', cards: [bob.card.wire, carol.card.wire, dave.card.wire] }));
  rows.push(append(log, alice.identity, { k: 'admin', member: bob.identity.address, isAdmin: true }));

  return { log, rows };
}

function append(log: MembershipLog, author: Identity, op: GroupOp, parents = log.heads()): Row {
  const row = verifyEntry(JSON.parse(JSON.stringify(signEntry(author, { group: log.groupId ?? '', parents, at: 2, op }).entry)));
  log.accept(row.hash, row.entry);

  return row;
}

function rotateOp(previous: Identity, next: Identity, admin: boolean): GroupOp {
  return { k: 'rotate', rotation: signRotation(previous, next, 5), card: signCard(next), lastSeq: 3, admin };
}

/** Replays rows in the given order into a fresh log. */
function replay(rows: Row[]): MembershipLog {
  const log = new MembershipLog();
  for (const row of rows) log.accept(row.hash, row.entry);

  return log;
}

describe('member entries', () => {
  it('lets a member leave with their own entry', () => {
    const { log } = baseLog();
    const left = append(log, carol.identity, { k: 'leave', lastSeq: 7 });

    const state = log.state();
    expect(state.members.has(carol.identity.address)).toBe(false);
    expect(state.leavers.has(carol.identity.address)).toBe(true);
    expect(state.removals.get(carol.identity.address)).toEqual([{ hash: left.hash, lastSeq: 7 }]);
    expect(state.members.size).toBe(3);
  });

  it('rejects a leave entry from someone who is not a member', () => {
    const { log } = baseLog();
    const outsider = makeUser('Mallory');
    const forged = signEntry(outsider.identity, { group: log.groupId ?? '', parents: log.heads(), at: 3, op: { k: 'leave', lastSeq: 0 } });

    expect(() => log.accept(forged.hash, forged.entry)).toThrow('leave entry author is not a member');
    expect(log.has(forged.hash)).toBe(false);
  });

  it('counts a member added again after leaving', () => {
    const { log } = baseLog();
    append(log, carol.identity, { k: 'leave', lastSeq: 0 });
    append(log, alice.identity, { k: 'add', cards: [carol.card.wire] });

    expect(log.state().members.has(carol.identity.address)).toBe(true);
  });

  it('moves a member to a new key with a rotation statement', () => {
    const { log } = baseLog();
    append(log, bobNext.identity, rotateOp(bob.identity, bobNext.identity, true));

    const state = log.state();
    expect(state.members.has(bob.identity.address)).toBe(false);
    expect(state.members.has(bobNext.identity.address)).toBe(true);
    expect(state.admins.has(bobNext.identity.address)).toBe(true);
    expect(state.predecessors.get(bobNext.identity.address)).toBe(bob.identity.address);
    expect(state.removals.get(bob.identity.address)?.[0]?.lastSeq).toBe(3);
  });

  it('follows a chain of two rotations', () => {
    const { log } = baseLog();
    append(log, bobNext.identity, rotateOp(bob.identity, bobNext.identity, true));
    append(log, bobThird.identity, rotateOp(bobNext.identity, bobThird.identity, true));

    const state = log.state();
    expect([...state.members].sort()).toEqual([alice.identity.address, bobThird.identity.address, carol.identity.address, dave.identity.address].sort());
    expect(state.admins.has(bobThird.identity.address)).toBe(true);
  });

  it('rejects a rotation entry with a forged statement', () => {
    const { log } = baseLog();
    const mallory = makeUser('Mallory');
    // Mallory signs both halves herself, claiming Carol's old key.
    const statement = { ...signRotation(mallory.identity, carol.identity, 5), oldKey: toBase64Url(carol.identity.signingPublicKey) };
    const forged = signEntry(carol.identity, { group: log.groupId ?? '', parents: log.heads(), at: 3, op: { k: 'rotate', rotation: statement, card: signCard(carol.identity), lastSeq: 0, admin: false } });

    expect(() => verifyEntry(forged.entry)).toThrow(GroupDataError);
    expect(() => verifyEntry(forged.entry)).toThrow('invalid rotation statement');
  });

  it('rejects a rotation entry not signed by the new key', () => {
    const { log } = baseLog();
    const row = signEntry(carol.identity, { group: log.groupId ?? '', parents: log.heads(), at: 3, op: rotateOp(bob.identity, bobNext.identity, false) });

    expect(() => log.accept(row.hash, row.entry)).toThrow('rotation entry author is not the new key');
  });

  it('rejects an admin role the old key did not hold', () => {
    const { log } = baseLog();
    const carolNext = makeUser('Carol');
    const row = signEntry(carolNext.identity, { group: log.groupId ?? '', parents: log.heads(), at: 3, op: rotateOp(carol.identity, carolNext.identity, true) });

    expect(() => log.accept(row.hash, row.entry)).toThrow('admin role the old key did not hold');
    expect(log.state().members.has(carolNext.identity.address)).toBe(false);
  });

  it('lets a removal concurrent with a rotation win', () => {
    const { log, rows } = baseLog();
    const heads = log.heads();
    const rotated = append(log, bobNext.identity, rotateOp(bob.identity, bobNext.identity, true), heads);
    const removed = append(log, alice.identity, { k: 'remove', member: bob.identity.address, lastSeq: 0 }, heads);

    for (const order of [[...rows, rotated, removed], [...rows, removed, rotated]]) {
      const state = replay(order).state();
      expect(state.members.has(bob.identity.address)).toBe(false);
      expect(state.members.has(bobNext.identity.address)).toBe(false);
      expect(state.admins.has(bobNext.identity.address)).toBe(false);
    }
  });

  it('admits neither key of a double rotation', () => {
    const { log, rows } = baseLog();
    const heads = log.heads();
    const mallory = makeUser('Bob');
    const honest = append(log, bobNext.identity, rotateOp(bob.identity, bobNext.identity, true), heads);
    const hijack = append(log, mallory.identity, rotateOp(bob.identity, mallory.identity, true), heads);

    for (const order of [[...rows, honest, hijack], [...rows, hijack, honest]]) {
      const state = replay(order).state();
      expect(state.members.has(bob.identity.address)).toBe(false);
      expect(state.members.has(bobNext.identity.address)).toBe(false);
      expect(state.members.has(mallory.identity.address)).toBe(false);
      expect(state.admins.has(mallory.identity.address)).toBe(false);
    }
    const readded = append(log, alice.identity, { k: 'add', cards: [bobNext.card.wire] });
    expect(log.has(readded.hash)).toBe(true);
    expect(log.state().members.has(bobNext.identity.address)).toBe(true);
    expect(log.state().members.has(mallory.identity.address)).toBe(false);
  });

  it('lets a revocation concurrent with a rotation win', () => {
    const { log } = baseLog();
    const heads = log.heads();
    append(log, bobNext.identity, rotateOp(bob.identity, bobNext.identity, true), heads);
    append(log, alice.identity, { k: 'admin', member: bob.identity.address, isAdmin: false }, heads);

    const state = log.state();
    expect(state.members.has(bobNext.identity.address)).toBe(true);
    expect(state.admins.has(bobNext.identity.address)).toBe(false);
  });
});

describe('admins removing each other apart', () => {
  it('removes both and makes the earliest added member the admin, in any order', () => {
    const { log, rows } = baseLog();
    const heads = log.heads();
    const bobOut = append(log, alice.identity, { k: 'remove', member: bob.identity.address, lastSeq: 0 }, heads);
    const aliceOut = append(log, bob.identity, { k: 'remove', member: alice.identity.address, lastSeq: 0 }, heads);
    // Carol and Dave were added in one entry, so the smaller address decides between them.
    const expectedAdmin = [carol.identity.address, dave.identity.address].sort()[0];

    for (const order of [[...rows, bobOut, aliceOut], [...rows, aliceOut, bobOut]]) {
      const state = replay(order).state();
      expect([...state.members].sort()).toEqual([carol.identity.address, dave.identity.address].sort());
      expect([...state.admins]).toEqual([expectedAdmin]);
    }
  });

  it('accepts changes from the fallback admin and not from the removed ones', () => {
    const { log } = baseLog();
    const heads = log.heads();
    append(log, alice.identity, { k: 'remove', member: bob.identity.address, lastSeq: 0 }, heads);
    append(log, bob.identity, { k: 'remove', member: alice.identity.address, lastSeq: 0 }, heads);
    const fallback = [carol, dave].sort((a, b) => (a.identity.address < b.identity.address ? -1 : 1))[0]!;

    append(log, fallback.identity, { k: 'add', cards: [alice.card.wire] });
    expect(log.state().members.has(alice.identity.address)).toBe(true);
    const stale = signEntry(bob.identity, { group: log.groupId ?? '', parents: log.heads(), at: 9, op: { k: 'rename', name: 'Mine' } });
    expect(() => log.accept(stale.hash, stale.entry)).toThrow('entry author is not an admin');
  });

  it('keeps the remaining admin when a third admin exists', () => {
    const { log } = baseLog();
    append(log, alice.identity, { k: 'admin', member: carol.identity.address, isAdmin: true });
    const heads = log.heads();
    append(log, alice.identity, { k: 'remove', member: bob.identity.address, lastSeq: 0 }, heads);
    append(log, bob.identity, { k: 'remove', member: alice.identity.address, lastSeq: 0 }, heads);

    expect([...log.state().admins]).toEqual([carol.identity.address]);
  });

  it('leaves an empty group when nobody else was in it', () => {
    const log = new MembershipLog();
    const root = signEntry(alice.identity, { group: '', parents: [], at: 1, op: { k: 'create', name: 'Pair', nonce: toBase64Url(randomBytes(16)), announce: false, card: signCard(alice.identity) } });
    log.accept(root.hash, root.entry);
    append(log, alice.identity, { k: 'add', cards: [bob.card.wire] });
    append(log, alice.identity, { k: 'admin', member: bob.identity.address, isAdmin: true });
    const heads = log.heads();
    append(log, alice.identity, { k: 'remove', member: bob.identity.address, lastSeq: 0 }, heads);
    append(log, bob.identity, { k: 'remove', member: alice.identity.address, lastSeq: 0 }, heads);

    expect(log.state().members.size).toBe(0);
    expect(log.state().admins.size).toBe(0);
  });
});
