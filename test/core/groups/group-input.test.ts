import { describe, expect, it } from 'vitest';
import { toBase64Url } from '../../../src/core/bytes.ts';
import { signCard } from '../../../src/core/card.ts';
import { GroupDataError } from '../../../src/core/groups/group-errors.ts';
import { createGroupLink, parseGroupLink } from '../../../src/core/groups/group-links.ts';
import { parseGroupMessage } from '../../../src/core/groups/group-message.ts';
import { parseGroupBody } from '../../../src/core/groups/group-wire.ts';
import { createBundle, openBundle, verifyBundle } from '../../../src/core/groups/key-bundle.ts';
import { MembershipLog, signEntry } from '../../../src/core/groups/membership-log.ts';
import { PairKeys } from '../../../src/core/groups/pair-keys.ts';
import { makeUser, randomBytes } from '../helpers.ts';

const alice = makeUser('Alice');
const bob = makeUser('Bob');
const carol = makeUser('Carol');
const appUrl = 'http://127.0.0.1:8080/';
const groupId = toBase64Url(randomBytes(32));

function twoMemberLog(): MembershipLog {
  const log = new MembershipLog();
  const create = signEntry(alice.identity, { group: '', parents: [], at: 1, op: { k: 'create', name: 'Crew', nonce: toBase64Url(randomBytes(16)), announce: false, card: signCard(alice.identity) } });
  log.accept(create.hash, create.entry);
  const add = signEntry(alice.identity, { group: create.hash, parents: [create.hash], at: 2, op: { k: 'add', cards: [bob.card.wire] } });
  log.accept(add.hash, add.entry);

  return log;
}

describe('group link', () => {
  it('round-trips the group, name and admin', () => {
    const parsed = parseGroupLink(createGroupLink(appUrl, { group: groupId, name: 'Crew', adminCard: alice.card.wire }));

    expect(parsed.group).toBe(groupId);
    expect(parsed.name).toBe('Crew');
    expect(parsed.admin.address).toBe(alice.identity.address);
  });

  it('rejects damaged and foreign links with a reason', () => {
    const link = createGroupLink(appUrl, { group: groupId, name: 'Crew', adminCard: alice.card.wire });
    const forged = createGroupLink(appUrl, { group: groupId, name: 'Crew', adminCard: { ...alice.card.wire, name: 'Mallory' } });

    expect(() => parseGroupLink(`${appUrl}#/invite/v1.abc`)).toThrow('this is not a group link');
    expect(() => parseGroupLink(link.replace('#/group/v1.', '#/group/v9.'))).toThrow('version is not supported');
    expect(() => parseGroupLink(`${link.slice(0, -10)}!!`)).toThrow('group link is damaged');
    expect(() => parseGroupLink(forged)).toThrow('invalid name or card');
  });
});

describe('group payloads', () => {
  it('rejects malformed bodies before any crypto', () => {
    expect(() => parseGroupBody('text')).toThrow(GroupDataError);
    expect(() => parseGroupBody({ k: 'nope' })).toThrow('unknown group payload kind');
    expect(() => parseGroupBody({ k: 'log', group: groupId, entries: [] })).toThrow('log payload entries are invalid');
    expect(() => parseGroupBody({ k: 'offer', group: groupId, heads: [], bundles: [], marks: { nobody: 1 }, isReply: false })).toThrow('offer mark is invalid');
    expect(() => parseGroupBody({ k: 'join', group: 'short' })).toThrow('group id is invalid');
  });

  it('rejects a group message with a bad field', () => {
    const base = { v: 1, group: groupId, epoch: toBase64Url(randomBytes(16)), sender: alice.identity.address, seq: 1, nonce: toBase64Url(randomBytes(24)), ct: 'AAAA', tags: 'AAAA' };

    expect(parseGroupMessage(base).seq).toBe(1);
    expect(() => parseGroupMessage({ ...base, seq: 0 })).toThrow('seq is invalid');
    expect(() => parseGroupMessage({ ...base, sender: 'mt1nope' })).toThrow('sender is not an address');
    expect(() => parseGroupMessage({ ...base, v: 2 })).toThrow('unsupported group message version 2');
  });
});

describe('key bundle', () => {
  it('opens only for members and names who is in it', () => {
    const log = twoMemberLog();
    const state = log.state();
    const members = new Map([...state.members].map((address) => [address, state.cards.get(address)!]));
    const { bundle, key } = createBundle(alice.identity, new PairKeys(alice.identity.boxSecretKey), randomBytes, { group: log.groupId!, heads: log.heads(), at: 3, members });

    const verified = verifyBundle(JSON.parse(JSON.stringify(bundle)), log);
    expect(openBundle(verified, bob.identity.address, alice.card.wire.boxKey, new PairKeys(bob.identity.boxSecretKey))).toEqual(key);
    expect(openBundle(verified, carol.identity.address, alice.card.wire.boxKey, new PairKeys(carol.identity.boxSecretKey))).toBeUndefined();
  });

  it('rejects a bundle from a member who is not an admin', () => {
    const log = twoMemberLog();
    const state = log.state();
    const members = new Map([...state.members].map((address) => [address, state.cards.get(address)!]));
    const { bundle } = createBundle(bob.identity, new PairKeys(bob.identity.boxSecretKey), randomBytes, { group: log.groupId!, heads: log.heads(), at: 3, members });

    expect(() => verifyBundle(bundle, log)).toThrow('bundle author is not an admin');
  });

  it('rejects a bundle whose members differ from the log', () => {
    const log = twoMemberLog();
    const members = new Map([[alice.identity.address, alice.card.wire], [carol.identity.address, carol.card.wire]]);
    const { bundle } = createBundle(alice.identity, new PairKeys(alice.identity.boxSecretKey), randomBytes, { group: log.groupId!, heads: log.heads(), at: 3, members });

    expect(() => verifyBundle(bundle, log)).toThrow('bundle members differ from the log');
  });
});
