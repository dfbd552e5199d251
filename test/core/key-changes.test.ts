import nacl from 'tweetnacl';
import { afterEach, describe, expect, it } from 'vitest';
import { signCard, verifyCard } from '../../src/core/card.ts';
import { contactFromCard } from '../../src/core/contact-cards.ts';
import { createIdentity, type Identity } from '../../src/core/identity.ts';
import { KeyChangeStateError } from '../../src/core/key-changes.ts';
import { isSendingPaused } from '../../src/core/send-pause.ts';
import type { WireRotation } from '../../src/core/key-rotation.ts';
import { signRotation } from '../../src/core/key-rotation.ts';
import { MemoryNetwork } from './memory-network.ts';
import { MemoryStorage } from './memory-storage.ts';
import type { Peer } from './messenger-peers.ts';
import { startPeer, statuses, stopAllPeers, stopPeer, texts, waitFor } from './messenger-peers.ts';

afterEach(() => stopAllPeers());

/** Alice and Bob as accepted contacts of each other, with one message each way, and Bob verified. */
async function connectedPair(network: MemoryNetwork): Promise<{ alice: Peer; bob: Peer }> {
  const alice = await startPeer(network, 'Alice');
  const bob = await startPeer(network, 'Bob');
  await alice.messenger.addContactFromInvite(bob.messenger.inviteLink());
  await alice.messenger.sendText(bob.address, 'hello bob');
  await waitFor(() => texts(bob, alice.address).length === 1, 'the first message');
  await bob.messenger.acceptRequest(alice.address);
  await bob.messenger.sendText(alice.address, 'hello alice');
  await waitFor(() => statuses(bob, alice.address).includes('delivered'), 'the reply');
  await alice.storage.updateContact(bob.address, { verifiedAt: 5 });

  return { alice, bob };
}

/** Rotates Bob's keys and starts him again under the new address, as the app's reload does. */
async function rotate(network: MemoryNetwork, bob: Peer): Promise<Peer> {
  await bob.messenger.rotateKeys();
  stopPeer(network, bob);

  return startPeer(network, 'Bob', bob.storage);
}

/** Alice and Bob as connectedPair leaves them, after Bob rotated his keys and Alice got his statement. */
async function pairAfterRotation(): Promise<{ network: MemoryNetwork; alice: Peer; bob: Peer; newBob: Peer; oldIdentity: Identity }> {
  const network = new MemoryNetwork();
  const { alice, bob } = await connectedPair(network);
  const oldIdentity = bob.storage.identity!;
  const newBob = await rotate(network, bob);
  await waitFor(() => alice.storage.contacts.get(bob.address)?.rotation !== undefined, 'the rotation to arrive');

  return { network, alice, bob, newBob, oldIdentity };
}

/** Starts a new identity named Bob that writes to Alice, and waits until Alice has its request. */
async function startNameClaimer(network: MemoryNetwork, alice: Peer): Promise<Peer> {
  const claimer = await startPeer(network, 'Bob');
  await claimer.messenger.addContactFromInvite(alice.messenger.inviteLink());
  await claimer.messenger.sendText(alice.address, 'new phone, same bob');
  await waitFor(() => texts(alice, claimer.address).length === 1, 'the request');

  return claimer;
}

/** Queues a rotation message from `from` to `to` as a new outbox entry and sends it. */
async function resend(from: Peer, to: Peer, rotation: WireRotation, id: string): Promise<void> {
  const identity = from.storage.identity!;
  await from.storage.queueOutgoing({ id, conversation: to.address, sender: identity.address, instance: identity.instanceId, text: '', sentAt: Date.now(), rotation });
  await from.messenger.deliver(to.address);
}

describe('rotating keys', () => {
  it('queues a statement to every contact and keeps the old keys', async () => {
    const network = new MemoryNetwork();
    const { alice, bob } = await connectedPair(network);
    const oldIdentity = bob.storage.identity!;
    await bob.storage.updateContact(alice.address, { verifiedAt: 7 });

    const next = await bob.messenger.rotateKeys();

    expect(next.address).not.toBe(oldIdentity.address);
    expect(next.instanceId).toBe(oldIdentity.instanceId);
    expect(bob.storage.identity?.address).toBe(next.address);
    expect(bob.storage.retired.map((retired) => retired.identity.address)).toEqual([oldIdentity.address]);
    const queued = [...bob.storage.messages.values()].filter((message) => message.rotation);
    expect(queued.map((message) => message.conversation)).toEqual([alice.address]);
    expect(queued[0]?.status).toBe('queued');
    expect(bob.storage.contacts.get(alice.address)?.verifiedAt).toBeUndefined();
  });
});

describe('receiving a key rotation', () => {
  it('pauses sending and clears the verified mark', async () => {
    const { alice, bob, newBob } = await pairAfterRotation();

    const old = alice.storage.contacts.get(bob.address);
    expect(old?.rotation).toMatchObject({ newAddress: newBob.address, state: 'pending', wasVerified: true });
    expect(old?.verifiedAt).toBeUndefined();
    expect(isSendingPaused(old)).toBe(true);
    const next = alice.storage.contacts.get(newBob.address);
    expect(next?.rotatedFrom).toBe(bob.address);
    expect(next?.claimsNameOf).toBeUndefined();
    expect(alice.messenger.stats.rejectedRotations).toBe(0);
  });

  it('sends messages queued during the pause to the new address after acceptance', async () => {
    const { network, alice, bob, newBob, oldIdentity } = await pairAfterRotation();
    // Someone still holding the old keys comes online at the old address.
    const oldKeys = new MemoryStorage();
    oldKeys.identity = oldIdentity;
    oldKeys.contacts.set(alice.address, { ...alice.storage.contacts.get(bob.address)!, ...contactFromCard(verifyCard(signCard(alice.storage.identity!)), 1) });
    const oldBob = await startPeer(network, 'Bob', oldKeys);
    await waitFor(() => alice.messenger.isOnline(oldBob.address), 'the old address to be online');

    await alice.messenger.sendText(bob.address, 'written during the pause');
    await alice.messenger.deliver(bob.address);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(statuses(alice, bob.address)).toEqual(['delivered', 'received', 'queued']);
    expect(texts(oldBob, alice.address)).toEqual([]);
    expect(texts(newBob, alice.address)).not.toContain('written during the pause');
    stopPeer(network, oldBob);

    const moved = await alice.messenger.acceptKeyChange(bob.address);

    expect(moved).toBe(newBob.address);
    expect(alice.storage.contacts.get(newBob.address)).toMatchObject({ verifiedAt: undefined, isVerificationRequired: true });
    await alice.messenger.deliver(newBob.address);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(texts(newBob, alice.address), 'a verified contact waits for verification').not.toContain('written during the pause');

    await alice.storage.updateContact(newBob.address, { verifiedAt: 10 });
    await alice.messenger.deliver(newBob.address);
    await waitFor(() => texts(newBob, alice.address).includes('written during the pause'), 'the paused message at the new key');
    await waitFor(() => statuses(alice, newBob.address).at(-1) === 'delivered', 'its receipt');
    expect(texts(alice, newBob.address)).toEqual(['hello bob', 'hello alice', '', 'written during the pause']);
    expect(texts(alice, bob.address)).toEqual([]);
    expect(texts(newBob, alice.address)).toEqual(['hello bob', 'hello alice', '', 'written during the pause']);
    expect(alice.storage.contacts.get(bob.address)).toMatchObject({ state: 'blocked', movedTo: newBob.address });
    expect(alice.storage.contacts.get(newBob.address)).toMatchObject({ state: 'contact', verifiedAt: 10 });
    expect(isSendingPaused(alice.storage.contacts.get(newBob.address))).toBe(false);
  });

  it('keeps sequence numbers going, so the new key sees no duplicates', async () => {
    const { alice, bob, newBob } = await pairAfterRotation();
    await alice.messenger.acceptKeyChange(bob.address);
    await alice.messenger.sendWithoutVerifying(newBob.address);

    await alice.messenger.sendText(newBob.address, 'after the change');
    await newBob.messenger.sendText(alice.address, 'from the new key');

    await waitFor(() => texts(newBob, alice.address).includes('after the change'), 'the message at the new key');
    await waitFor(() => texts(alice, newBob.address).includes('from the new key'), 'the reply from the new key');
    const seqs = [...alice.storage.messages.values()].filter((message) => message.direction === 'out').map((message) => message.seq);
    expect(seqs).toEqual([1, 2]);
  });

  it('blocks the new key and resumes sending when rejected', async () => {
    const { alice, bob, newBob } = await pairAfterRotation();

    await alice.messenger.rejectKeyChange(bob.address);

    expect(alice.storage.contacts.get(newBob.address)?.state).toBe('blocked');
    expect(alice.storage.contacts.get(bob.address)?.rotation?.state).toBe('rejected');
    expect(alice.storage.contacts.get(bob.address)?.verifiedAt).toBeUndefined();
    expect(isSendingPaused(alice.storage.contacts.get(bob.address))).toBe(false);
    await expect(alice.messenger.acceptKeyChange(bob.address)).rejects.toThrow(KeyChangeStateError);
  });

  it('ignores a replay of a statement already accepted', async () => {
    const { alice, bob, newBob } = await pairAfterRotation();
    await alice.messenger.acceptKeyChange(bob.address);
    const statement = [...newBob.storage.messages.values()].find((message) => message.rotation)!.rotation!;
    const before = alice.storage.messages.size;

    await resend(newBob, alice, statement, 'replayed-rotation-1');

    await waitFor(() => alice.messenger.stats.replayedRotations === 1, 'the replay to be counted');
    await waitFor(() => statuses(newBob, alice.address).at(-1) === 'delivered', 'the replay to be acknowledged');
    expect(alice.storage.messages.size).toBe(before);
    expect(alice.storage.contacts.get(newBob.address)?.state).toBe('contact');
    expect(alice.storage.contacts.get(bob.address)?.rotation?.state).toBe('accepted');
  });

  it('ignores a replay of a statement already rejected, and an older one', async () => {
    const { network, alice, bob, newBob, oldIdentity } = await pairAfterRotation();
    await alice.messenger.rejectKeyChange(bob.address);
    const statement = [...newBob.storage.messages.values()].find((message) => message.rotation)!.rotation!;
    const other = await startPeer(network, 'Bob');
    const older = signRotation(oldIdentity, other.storage.identity!, statement.issuedAt - 1);
    await other.messenger.addContactFromInvite(alice.messenger.inviteLink());

    await resend(other, alice, older, 'older-rotation-1');
    await waitFor(() => alice.messenger.stats.replayedRotations === 1, 'the older statement to be counted');

    expect(alice.storage.contacts.get(bob.address)?.rotation).toMatchObject({ newAddress: newBob.address, state: 'rejected' });
    expect(isSendingPaused(alice.storage.contacts.get(bob.address))).toBe(false);
  });
});

describe('forged key rotation', () => {
  it('is rejected, counted and changes nothing', async () => {
    const network = new MemoryNetwork();
    const { alice, bob } = await connectedPair(network);
    const mallory = await startPeer(network, 'Bob');
    await mallory.messenger.addContactFromInvite(alice.messenger.inviteLink());
    const stolenName = createIdentity('Bob', nacl.randomBytes, 1);
    // Mallory signs with a key of her own and puts Bob's key in its place: the old signature cannot match.
    const forged: WireRotation = { ...signRotation(stolenName, mallory.storage.identity!, Date.now()), oldKey: toKey(bob) };

    await resend(mallory, alice, forged, 'forged-rotation-1');
    await waitFor(() => alice.messenger.stats.rejectedRotations === 1, 'the forged statement to be counted');

    expect(alice.storage.contacts.get(bob.address)?.rotation).toBeUndefined();
    expect(alice.storage.contacts.get(bob.address)?.verifiedAt).toBe(5);
    expect([...alice.storage.messages.values()].some((message) => message.rotation)).toBe(false);
  });

  it('is rejected when it does not come from its new key', async () => {
    const network = new MemoryNetwork();
    const { alice, bob } = await connectedPair(network);
    const carol = await startPeer(network, 'Carol');
    await carol.messenger.addContactFromInvite(alice.messenger.inviteLink());
    const elsewhere = createIdentity('Bob', nacl.randomBytes, 1);
    // A genuine statement by Bob, forwarded by Carol, who is not its new key.
    const genuine = signRotation(bob.storage.identity!, elsewhere, Date.now());

    await resend(carol, alice, genuine, 'forwarded-rotation-1');
    await waitFor(() => alice.messenger.stats.rejectedRotations === 1, 'the forwarded statement to be counted');

    expect(alice.storage.contacts.get(bob.address)?.rotation).toBeUndefined();
  });
});

describe('new identity that claims a contact name', () => {
  it('pauses sending until accepted as a separate contact', async () => {
    const network = new MemoryNetwork();
    const { alice, bob } = await connectedPair(network);
    const newBob = await startNameClaimer(network, alice);
    expect(alice.storage.contacts.get(newBob.address)?.claimsNameOf).toBe(bob.address);
    expect(isSendingPaused(alice.storage.contacts.get(newBob.address))).toBe(true);

    await alice.messenger.acceptRequest(newBob.address, { isNameClaimConfirmed: true });

    expect(isSendingPaused(alice.storage.contacts.get(newBob.address))).toBe(false);
    await alice.messenger.sendText(newBob.address, 'welcome');
    await waitFor(() => texts(newBob, alice.address).includes('welcome'), 'the message to the new identity');
  });

  it('moves the history when linked to the contact it names', async () => {
    const network = new MemoryNetwork();
    const { alice, bob } = await connectedPair(network);
    const newBob = await startNameClaimer(network, alice);

    const retired = await alice.messenger.linkNameClaim(newBob.address);

    expect(retired).toBe(bob.address);
    expect(texts(alice, newBob.address)).toEqual(['hello bob', 'hello alice', 'new phone, same bob']);
    expect(alice.storage.contacts.get(newBob.address)).toMatchObject({ state: 'contact', rotatedFrom: bob.address, verifiedAt: undefined });
    expect(alice.storage.contacts.get(bob.address)).toMatchObject({ state: 'blocked', movedTo: newBob.address });
    expect(isSendingPaused(alice.storage.contacts.get(newBob.address)), 'the linked contact was verified').toBe(true);

    await alice.messenger.sendWithoutVerifying(newBob.address);
    expect(isSendingPaused(alice.storage.contacts.get(newBob.address))).toBe(false);
  });

  it('cannot be linked when it claims no name', async () => {
    const network = new MemoryNetwork();
    const { alice, bob } = await connectedPair(network);

    await expect(alice.messenger.linkNameClaim(bob.address)).rejects.toThrow(KeyChangeStateError);
  });
});

function toKey(peer: Peer): string {
  return Buffer.from(peer.storage.identity!.signingPublicKey).toString('base64url');
}
