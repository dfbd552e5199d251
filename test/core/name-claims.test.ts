import nacl from 'tweetnacl';
import { afterEach, describe, expect, it } from 'vitest';
import { signCard, verifyCard } from '../../src/core/card.ts';
import { contactFromCard } from '../../src/core/contact-cards.ts';
import { createIdentity } from '../../src/core/identity.ts';
import { storeIncomingChats } from '../../src/core/inbox.ts';
import {
  assertAcceptable,
  comparableName,
  findClaimedContact,
  NameClaimConfirmationError,
  nameClaimWarning,
} from '../../src/core/name-claims.ts';
import { silentLogger } from '../../src/core/ports.ts';
import type { ContactRecord } from '../../src/core/storage-port.ts';
import { makeUser } from './helpers.ts';
import { MemoryNetwork } from './memory-network.ts';
import { MemoryStorage } from './memory-storage.ts';
import { startPeer, stopAllPeers, stopPeer, texts, waitFor } from './messenger-peers.ts';

afterEach(() => stopAllPeers());

function contactNamed(name: string, overrides: Partial<ContactRecord> = {}): ContactRecord {
  return { ...contactFromCard(makeUser(name).card, 1_000), ...overrides };
}

describe('comparable name', () => {
  it.each([
    ['Bob', 'bob'],
    ['  Bob  ', 'bob'],
    ['BOB', 'bob'],
    ['Bob  Smith', 'bob smith'],
    ['Ｂｏｂ', 'bob'],
    ['B\u200bob', 'bob'],
  ])('reduces %j to %j', (name, expected) => {
    expect(comparableName(name)).toBe(expected);
  });

  it('keeps different names apart', () => {
    expect(comparableName('Bob')).not.toBe(comparableName('Bobby'));
    expect(comparableName('Bob Smith')).not.toBe(comparableName('BobSmith'));
  });
});

describe('claimed contact', () => {
  it('is the contact at another address with the same name', () => {
    const bob = contactNamed('Bob');
    const carol = contactNamed('Carol');
    const impostor = makeUser(' bob ').card;

    expect(findClaimedContact([carol, bob], impostor)?.address).toBe(bob.address);
  });

  it('is never the sender itself', () => {
    const bob = makeUser('Bob');

    expect(findClaimedContact([contactFromCard(bob.card, 1_000)], bob.card)).toBeUndefined();
  });

  it('counts only accepted contacts', () => {
    const impostor = makeUser('Bob').card;
    const requestBob = contactNamed('Bob', { state: 'request' });
    const blockedBob = contactNamed('Bob', { state: 'blocked' });

    expect(findClaimedContact([requestBob, blockedBob], impostor)).toBeUndefined();
  });

  it('prefers a verified contact, then the oldest', () => {
    const impostor = makeUser('Bob').card;
    const oldBob = contactNamed('Bob', { addedAt: 1 });
    const newerBob = contactNamed('Bob', { addedAt: 2 });
    const verifiedBob = contactNamed('Bob', { addedAt: 3, verifiedAt: 4 });

    expect(findClaimedContact([newerBob, oldBob], impostor)?.address).toBe(oldBob.address);
    expect(findClaimedContact([newerBob, oldBob, verifiedBob], impostor)?.address).toBe(verifiedBob.address);
  });
});

describe('name claim warning', () => {
  const bob = contactNamed('Bob');

  it('is none without a claim', () => {
    expect(nameClaimWarning(contactNamed('Bob', { state: 'request' }), bob)).toBe('none');
  });

  it('is the plain warning for an unverified contact', () => {
    const request = contactNamed('Bob', { state: 'request', claimsNameOf: bob.address });

    expect(nameClaimWarning(request, bob)).toBe('claims-contact');
  });

  it('is the strong warning for a verified contact', () => {
    const request = contactNamed('Bob', { state: 'request', claimsNameOf: bob.address });

    expect(nameClaimWarning(request, { ...bob, verifiedAt: 5 })).toBe('claims-verified-contact');
  });

  it('ends when the claiming contact is verified itself', () => {
    const accepted = contactNamed('Bob', { claimsNameOf: bob.address, verifiedAt: 9 });

    expect(nameClaimWarning(accepted, bob)).toBe('none');
  });

  it('ends when the claimed contact is gone or blocked', () => {
    const request = contactNamed('Bob', { state: 'request', claimsNameOf: bob.address });

    expect(nameClaimWarning(request, undefined)).toBe('none');
    expect(nameClaimWarning(request, { ...bob, state: 'blocked' })).toBe('none');
    expect(nameClaimWarning(request, contactNamed('Bob'))).toBe('none');
  });
});

describe('accepting a name claim', () => {
  it('needs explicit confirmation', () => {
    const request = contactNamed('Bob', { state: 'request', claimsNameOf: 'mt1someone' });

    expect(() => assertAcceptable(request, false)).toThrow(NameClaimConfirmationError);
    expect(() => assertAcceptable(request, true)).not.toThrow();
  });

  it('needs nothing extra for an ordinary request', () => {
    expect(() => assertAcceptable(contactNamed('Dave', { state: 'request' }), false)).not.toThrow();
    expect(() => assertAcceptable(undefined, false)).not.toThrow();
  });
});

describe('messenger with a new identity under a known name', () => {
  it('marks the request with the contact it claims to be', async () => {
    const network = new MemoryNetwork();
    const alice = await startPeer(network, 'Alice');
    const bob = await startPeer(network, 'Bob');
    const newBob = await startPeer(network, '  BOB ');
    await alice.messenger.addContactFromInvite(bob.messenger.inviteLink());

    await newBob.messenger.addContactFromInvite(alice.messenger.inviteLink());
    await newBob.messenger.sendText(alice.address, 'it is me, new phone');
    await waitFor(() => texts(alice, newBob.address).length === 1, 'the request to arrive');

    const request = alice.storage.contacts.get(newBob.address);
    expect(request?.state).toBe('request');
    expect(request?.claimsNameOf).toBe(bob.address);
    expect(alice.storage.contacts.get(bob.address)?.claimsNameOf).toBeUndefined();
  });

  it('leaves an ordinary request unmarked', async () => {
    const network = new MemoryNetwork();
    const alice = await startPeer(network, 'Alice');
    const bob = await startPeer(network, 'Bob');
    const dave = await startPeer(network, 'Dave');
    await alice.messenger.addContactFromInvite(bob.messenger.inviteLink());

    await dave.messenger.addContactFromInvite(alice.messenger.inviteLink());
    await dave.messenger.sendText(alice.address, 'hello from dave');
    await waitFor(() => texts(alice, dave.address).length === 1, 'the request to arrive');

    expect(alice.storage.contacts.get(dave.address)?.claimsNameOf).toBeUndefined();
    await alice.messenger.acceptRequest(dave.address);
    expect(alice.storage.contacts.get(dave.address)?.state).toBe('contact');
  });

  it('accepts the request only with confirmation', async () => {
    const network = new MemoryNetwork();
    const alice = await startPeer(network, 'Alice');
    const bob = await startPeer(network, 'Bob');
    const newBob = await startPeer(network, 'Bob');
    await alice.messenger.addContactFromInvite(bob.messenger.inviteLink());
    await newBob.messenger.addContactFromInvite(alice.messenger.inviteLink());
    await newBob.messenger.sendText(alice.address, 'it is me, new phone');
    await waitFor(() => texts(alice, newBob.address).length === 1, 'the request to arrive');

    await expect(alice.messenger.acceptRequest(newBob.address)).rejects.toThrow(NameClaimConfirmationError);
    expect(alice.storage.contacts.get(newBob.address)?.state).toBe('request');

    await alice.messenger.acceptRequest(newBob.address, { isNameClaimConfirmed: true });
    expect(alice.storage.contacts.get(newBob.address)?.state).toBe('contact');
  });

  it('marks a request that takes a known name on a later handshake', async () => {
    const network = new MemoryNetwork();
    const alice = await startPeer(network, 'Alice');
    const bob = await startPeer(network, 'Bob');
    const stranger = await startPeer(network, 'Bobby');
    await alice.messenger.addContactFromInvite(bob.messenger.inviteLink());
    await stranger.messenger.addContactFromInvite(alice.messenger.inviteLink());
    await stranger.messenger.sendText(alice.address, 'first as bobby');
    await waitFor(() => texts(alice, stranger.address).length === 1, 'the first request message');
    expect(alice.storage.contacts.get(stranger.address)?.claimsNameOf).toBeUndefined();

    stopPeer(network, stranger);
    const identity = stranger.storage.identity;
    if (!identity) throw new Error('stranger has no identity');
    stranger.storage.identity = { ...identity, displayName: 'Bob' };
    const renamed = await startPeer(network, 'Bob', stranger.storage);
    await renamed.messenger.sendText(alice.address, 'now as bob');
    await waitFor(() => texts(alice, stranger.address).length === 2, 'the second request message');

    await waitFor(() => alice.storage.contacts.get(stranger.address)?.displayName === 'Bob', 'the new card');
    expect(alice.storage.contacts.get(stranger.address)?.claimsNameOf).toBe(bob.address);
  });

  it('marks a request stored by the shared inbox', async () => {
    const storage = new MemoryStorage();
    const bob = makeUser('Bob');
    storage.contacts.set(bob.identity.address, contactFromCard(bob.card, 1_000));
    const newBob = verifyCard(signCard(createIdentity('bob', nacl.randomBytes, 2_000)));
    const payload = { t: 'msg' as const, id: 'message-0001', instance: 'instance-0001', seq: 1, sentAt: 3_000, text: 'hi' };

    const results = await storeIncomingChats(storage, silentLogger, newBob, [payload], () => 4_000);

    expect(results).toEqual(['stored']);
    expect(storage.contacts.get(newBob.address)?.claimsNameOf).toBe(bob.identity.address);
  });
});
