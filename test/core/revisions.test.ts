import nacl from 'tweetnacl';
import { afterEach, describe, expect, it } from 'vitest';
import { signCard, verifyCard } from '../../src/core/card.ts';
import { createIdentity } from '../../src/core/identity.ts';
import { storeIncomingChats } from '../../src/core/inbox.ts';
import { decodePayload, encodePayload } from '../../src/core/messages.ts';
import { silentLogger } from '../../src/core/ports.ts';
import { FrameError } from '../../src/core/errors.ts';
import { MemoryNetwork } from './memory-network.ts';
import { MemoryStorage } from './memory-storage.ts';
import type { Peer } from './messenger-peers.ts';
import { startPeer, stopAllPeers, stopPeer, waitFor } from './messenger-peers.ts';

afterEach(() => stopAllPeers());

/** Messages of a conversation as the chat shows them: revisions hidden, deletions marked. */
function shown(peer: Peer, conversation: string): string[] {
  return peer.storage
    .conversation(conversation)
    .filter((message) => message.revises === undefined)
    .map((message) => (message.deletedAt === undefined ? `${message.text}${message.editedAt === undefined ? '' : ' (edited)'}` : '(deleted)'));
}

async function chattingPair(network: MemoryNetwork): Promise<{ alice: Peer; bob: Peer }> {
  const alice = await startPeer(network, 'Alice');
  const bob = await startPeer(network, 'Bob');
  await alice.messenger.addContactFromInvite(bob.messenger.inviteLink());
  await bob.messenger.addContactFromInvite(alice.messenger.inviteLink());

  return { alice, bob };
}

describe('edits and deletions', () => {
  it('carries an edit to the peer', async () => {
    const network = new MemoryNetwork();
    const { alice, bob } = await chattingPair(network);
    const sent = await alice.messenger.sendText(bob.address, 'see you at 5');
    await waitFor(() => shown(bob, alice.address).length === 1, 'bob to get the message');

    await alice.messenger.editMessage(sent.id, 'see you at 6');

    expect(shown(alice, bob.address)).toEqual(['see you at 6 (edited)']);
    await waitFor(() => shown(bob, alice.address)[0] === 'see you at 6 (edited)', 'bob to see the edit');
    expect(bob.storage.contacts.get(alice.address)?.unreadCount).toBe(1);
  });

  it('carries a deletion to an offline peer', async () => {
    const network = new MemoryNetwork();
    const { alice, bob: bobBefore } = await chattingPair(network);
    const sent = await alice.messenger.sendText(bobBefore.address, 'wrong chat, sorry');
    await waitFor(() => shown(bobBefore, alice.address).length === 1, 'bob to get the message');
    stopPeer(network, bobBefore);

    await alice.messenger.deleteForEveryone(sent.id);

    expect(shown(alice, bobBefore.address)).toEqual(['(deleted)']);
    expect(alice.storage.messages.get(sent.id)?.text).toBe('');
    const bob = await startPeer(network, 'Bob', bobBefore.storage);
    await waitFor(() => shown(bob, alice.address)[0] === '(deleted)', 'bob to see the deletion');
    expect(bob.storage.messages.get(sent.id)?.text).toBe('');
    await waitFor(() => alice.storage.outbox.size === 0, 'the outbox to empty');
  });

  it('applies a resent revision once', async () => {
    const network = new MemoryNetwork();
    const { alice, bob } = await chattingPair(network);
    const sent = await alice.messenger.sendText(bob.address, 'first');
    await alice.messenger.editMessage(sent.id, 'second');
    await waitFor(() => shown(bob, alice.address)[0] === 'second (edited)', 'the edit');
    const revision = [...bob.storage.messages.values()].find((message) => message.revises !== undefined);
    if (!revision) throw new Error('bob stored no revision');

    const aliceCard = verifyCard(signCard(alice.storage.identity!));
    const results = await storeIncomingChats(bob.storage, silentLogger, aliceCard, [{ t: 'msg', ...revision, text: 'second' }], () => Date.now());

    expect(results).toEqual(['duplicate']);
    expect(shown(bob, alice.address)).toEqual(['second (edited)']);
  });

  it('rejects a forged edit from someone else', async () => {
    const network = new MemoryNetwork();
    const { alice, bob } = await chattingPair(network);
    const sent = await alice.messenger.sendText(bob.address, 'the real text');
    await waitFor(() => shown(bob, alice.address).length === 1, 'bob to get the message');
    const mallory = createIdentity('Mallory', nacl.randomBytes, Date.now());
    const logged: string[] = [];
    const logger = { ...silentLogger, info: (event: string) => void logged.push(event) };

    const results = await storeIncomingChats(
      bob.storage,
      logger,
      verifyCard(signCard(mallory)),
      [{ t: 'msg', id: 'forged-edit-0001', instance: mallory.instanceId, seq: 1, sentAt: Date.now(), text: 'forged', revises: { action: 'edit', target: sent.id } }],
      () => Date.now(),
    );

    expect(results).toEqual(['stored']);
    expect(shown(bob, alice.address)).toEqual(['the real text']);
    expect(bob.storage.messages.get(sent.id)?.text).toBe('the real text');
    expect(logged).toContain('revision changed nothing');
  });

  it('rejects a peer revising my own message', async () => {
    const network = new MemoryNetwork();
    const { alice, bob } = await chattingPair(network);
    const bobsMessage = await bob.messenger.sendText(alice.address, 'bob wrote this');
    await waitFor(() => shown(alice, bob.address).length === 1, 'alice to get the message');

    const results = await storeIncomingChats(
      bob.storage,
      silentLogger,
      verifyCard(signCard(alice.storage.identity!)),
      [{ t: 'msg', id: 'forged-delete-01', instance: 'alice-instance-x', seq: 99, sentAt: Date.now(), text: '', revises: { action: 'delete', target: bobsMessage.id } }],
      () => Date.now(),
    );

    expect(results).toEqual(['stored']);
    expect(bob.storage.messages.get(bobsMessage.id)?.text).toBe('bob wrote this');
    expect(bob.storage.messages.get(bobsMessage.id)?.deletedAt).toBeUndefined();
  });

  it('lets only the sender edit or delete for everyone', async () => {
    const network = new MemoryNetwork();
    const { alice, bob } = await chattingPair(network);
    const sent = await alice.messenger.sendText(bob.address, 'mine');
    await waitFor(() => shown(bob, alice.address).length === 1, 'bob to get the message');

    await expect(bob.messenger.editMessage(sent.id, 'yours now')).rejects.toThrow(RangeError);
    await expect(bob.messenger.deleteForEveryone(sent.id)).rejects.toThrow(/only your own messages/);
    await expect(alice.messenger.editMessage('no-such-message', 'x')).rejects.toThrow(/not found/);
    await expect(alice.messenger.editMessage(sent.id, '   ')).rejects.toThrow(/empty/);
    expect(shown(bob, alice.address)).toEqual(['mine']);
  });

  it('keeps a deleted message deleted', async () => {
    const network = new MemoryNetwork();
    const { alice, bob } = await chattingPair(network);
    const sent = await alice.messenger.sendText(bob.address, 'soon gone');
    await alice.messenger.deleteForEveryone(sent.id);

    await expect(alice.messenger.editMessage(sent.id, 'back again')).rejects.toThrow(/already deleted/);
    await expect(alice.messenger.deleteForEveryone(sent.id)).rejects.toThrow(/already deleted/);
    await waitFor(() => shown(bob, alice.address)[0] === '(deleted)', 'bob to see the deletion');
  });

  it('sends a queued message deleted for everyone as deleted', async () => {
    const network = new MemoryNetwork();
    const alice = await startPeer(network, 'Alice');
    const bob = await startPeer(network, 'Bob');
    await alice.messenger.addContactFromInvite(bob.messenger.inviteLink());
    await bob.messenger.addContactFromInvite(alice.messenger.inviteLink());
    stopPeer(network, bob);
    const sent = await alice.messenger.sendText(bob.address, 'not meant to go');
    await alice.messenger.deleteForEveryone(sent.id);
    await alice.messenger.sendText(bob.address, 'this one is');

    const bobAgain = await startPeer(network, 'Bob', bob.storage);
    await waitFor(() => shown(bobAgain, alice.address).length === 2, 'bob to get the queued messages');

    expect(shown(bobAgain, alice.address)).toEqual(['(deleted)', 'this one is']);
    expect(bobAgain.storage.messages.get(sent.id)?.revises).toBeUndefined();
    expect(bobAgain.storage.listReceived(alice.address)[0]?.ranges).toEqual([[1, 3]]);
    await waitFor(() => alice.storage.outbox.size === 0, 'receipts for all three');
  });

  it('deletes for me only', async () => {
    const network = new MemoryNetwork();
    const { alice, bob } = await chattingPair(network);
    const sent = await alice.messenger.sendText(bob.address, 'keep on their side');
    await waitFor(() => shown(bob, alice.address).length === 1, 'bob to get the message');

    await bob.messenger.deleteForMe(sent.id);

    expect(shown(bob, alice.address)).toEqual([]);
    expect(shown(alice, bob.address)).toEqual(['keep on their side']);
  });

  it('drops a queued message deleted for me before it is sent', async () => {
    const network = new MemoryNetwork();
    const storage = new MemoryStorage();
    const alice = await startPeer(network, 'Alice', storage);
    const bob = await startPeer(network, 'Bob');
    await alice.messenger.addContactFromInvite(bob.messenger.inviteLink());
    stopPeer(network, bob);
    const sent = await alice.messenger.sendText(bob.address, 'never mind');

    await alice.messenger.deleteForMe(sent.id);

    expect(storage.outbox.size).toBe(0);
    expect(storage.messages.has(sent.id)).toBe(false);
  });
});

describe('revision payloads', () => {
  const base = { t: 'msg', id: 'revision-0001', instance: 'instance-aaaa', seq: 2, sentAt: 5 };

  it('round-trips an edit and a deletion', () => {
    const edit = { ...base, text: 'new', revises: { action: 'edit' as const, target: 'target-00001' } };
    const deletion = { ...base, text: '', revises: { action: 'delete' as const, target: 'target-00001' } };

    expect(decodePayload(encodePayload({ ...edit, t: 'msg' }))).toEqual(edit);
    expect(decodePayload(encodePayload({ ...deletion, t: 'msg' }))).toEqual(deletion);
  });

  it.each([
    ['an unknown action', { ...base, text: 'x', revises: { action: 'undo', target: 'target-00001' } }, /action is invalid/],
    ['a bad target', { ...base, text: 'x', revises: { action: 'edit', target: '../etc' } }, /target is invalid/],
    ['a revision that is not an object', { ...base, text: 'x', revises: 'edit' }, /revision is invalid/],
    ['a deletion with text', { ...base, text: 'still here', revises: { action: 'delete', target: 'target-00001' } }, /deletion carries text/],
    ['an edit without text', { ...base, text: '', revises: { action: 'edit', target: 'target-00001' } }, /text is missing/],
    ['a message without text', { ...base, text: '' }, /text is missing/],
  ])('rejects %s', (_case, payload, message) => {
    const bytes = new TextEncoder().encode(JSON.stringify(payload));

    expect(() => decodePayload(bytes)).toThrow(FrameError);
    expect(() => decodePayload(bytes)).toThrow(message);
  });
});
