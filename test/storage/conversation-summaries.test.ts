import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { GroupMessageRow, GroupRecord } from '../../src/core/groups/group-types.ts';
import type { MessageRecord, OutgoingDraft } from '../../src/core/storage-port.ts';
import { listConversationSummaries, type ConversationSummary, type DirectSummary } from '../../src/ui/data/conversation-summaries.ts';
import { readLatestPage } from '../../src/ui/data/message-pages.ts';
import { countWaiting } from '../../src/ui/data/queries.ts';
import { contactFor, deleteTestDatabases, freshStorage } from './fixtures.ts';

afterEach(deleteTestDatabases);

function incoming(from: string, seq: number, text: string, storedAt: number): MessageRecord {
  return { id: `in-${from.slice(3, 11)}-${seq}`, conversation: from, direction: 'in', sender: from, instance: 'instance-0001', seq, text, sentAt: storedAt, storedAt, status: 'received' };
}

function outgoing(to: string, id: string, text: string, sentAt: number): OutgoingDraft {
  return { id, conversation: to, sender: 'mt1self', instance: 'instance-0002', text, sentAt };
}

/** Checks that `summary` is a one-to-one chat and returns it as one. */
function directOf(summary: ConversationSummary | undefined): DirectSummary {
  expect(summary?.kind).toBe('direct');

  return summary as DirectSummary;
}

describe('conversation summaries', () => {
  it('merges chats and broadcasts by latest activity', async () => {
    const storage = freshStorage();
    const bob = contactFor('Bob', { lastActivityAt: 100 });
    const carol = contactFor('Carol', { lastActivityAt: 300 });
    await storage.putContact(bob);
    await storage.putContact(carol);
    await storage.db.broadcasts.add({ id: 'broadcast-1', template: 'Hi {name}', listIds: [], createdAt: 200, recipientCount: 2 });

    const summaries = await listConversationSummaries(storage.db);

    expect(summaries.map((summary) => summary.key)).toEqual([`direct:${carol.address}`, 'broadcast:broadcast-1', `direct:${bob.address}`]);
  });

  it('leaves out blocked and pending key changes', async () => {
    const storage = freshStorage();
    const bob = contactFor('Bob');
    const bobNewKeys = contactFor('Bob', { state: 'request', rotatedFrom: bob.address });
    const mallory = contactFor('Mallory', { state: 'blocked' });
    await storage.putContact(bob);
    await storage.putContact(bobNewKeys);
    await storage.putContact(mallory);

    const summaries = await listConversationSummaries(storage.db);

    expect(summaries.map((summary) => summary.key)).toEqual([`direct:${bob.address}`]);
  });

  it('shows the last chat message and unread count', async () => {
    const storage = freshStorage();
    const bob = contactFor('Bob');
    await storage.putContact(bob);
    await storage.storeIncoming([incoming(bob.address, 1, 'first', 10), incoming(bob.address, 2, 'second', 20)]);
    await storage.queueOutgoing({ id: 'control-0001', conversation: bob.address, sender: 'mt1self', instance: 'instance-0002', text: '', sentAt: 30, control: { kind: 'opt-out' } });

    const [summary] = await listConversationSummaries(storage.db);

    expect(summary?.kind).toBe('direct');
    expect(summary?.kind === 'direct' && summary.lastMessage?.text).toBe('second');
    expect(summary?.unreadCount).toBe(2);
    expect((await readLatestPage(storage.db, bob.address, 10)).map((message) => message.text)).toEqual(['first', 'second']);
    expect(await countWaiting(storage.db, bob.address)).toBe(0);
  });

  it('previews the edited message at its own time', async () => {
    const storage = freshStorage();
    const bob = contactFor('Bob');
    await storage.putContact(bob);
    await storage.storeIncoming([incoming(bob.address, 1, 'meet at 5 pm', 10)]);
    await storage.storeIncoming([{ ...incoming(bob.address, 2, 'meet at 6 pm', 50), revises: { action: 'edit', target: `in-${bob.address.slice(3, 11)}-1` } }]);

    const [summary] = await listConversationSummaries(storage.db);

    expect(summary?.lastActivityAt).toBe(10);
    expect(directOf(summary).lastMessage?.text).toBe('meet at 6 pm');
    expect(directOf(summary).lastMessage?.editedAt).toBe(50);
    expect(summary?.unreadCount).toBe(1);
  });

  it('keeps an own edit from moving the chat up', async () => {
    const storage = freshStorage();
    const bob = contactFor('Bob');
    const carol = contactFor('Carol');
    await storage.putContact(bob);
    await storage.putContact(carol);
    const original = await storage.queueOutgoing(outgoing(bob.address, 'own-0001', 'see you at 5', 10));
    await storage.storeIncoming([incoming(carol.address, 1, 'hello', 20)]);
    await storage.queueOutgoing({ ...outgoing(bob.address, 'own-0002', 'see you at 6', 30), revises: { action: 'edit', target: original.id } });

    const summaries = await listConversationSummaries(storage.db);

    expect(summaries.map((summary) => summary.key)).toEqual([`direct:${carol.address}`, `direct:${bob.address}`]);
    const bobSummary = summaries[1];
    expect(bobSummary?.lastActivityAt).toBe(10);
    expect(directOf(bobSummary).lastMessage?.id).toBe('own-0001');
    expect(directOf(bobSummary).lastMessage?.text).toBe('see you at 6');
    expect((await storage.db.contacts.get(bob.address))?.lastActivityAt).toBe(10);
  });

  it('previews a message deleted for everyone', async () => {
    const storage = freshStorage();
    const bob = contactFor('Bob');
    await storage.putContact(bob);
    await storage.queueOutgoing(outgoing(bob.address, 'own-0001', 'wrong chat', 10));
    await storage.queueOutgoing({ ...outgoing(bob.address, 'own-0002', '', 40), revises: { action: 'delete', target: 'own-0001' } });

    const [summary] = await listConversationSummaries(storage.db);

    expect(summary?.lastActivityAt).toBe(10);
    expect(directOf(summary).lastMessage?.id).toBe('own-0001');
    expect(directOf(summary).lastMessage?.deletedAt).toBe(40);
  });

  it('corrects an activity time an edit raised', async () => {
    const storage = freshStorage();
    const bob = contactFor('Bob');
    await storage.putContact(bob);
    await storage.storeIncoming([incoming(bob.address, 1, 'hello', 10)]);
    await storage.db.contacts.update(bob.address, { lastActivityAt: 90 });

    const [summary] = await listConversationSummaries(storage.db);

    expect(summary?.lastActivityAt).toBe(10);
  });

  it('keeps the contact time for a chat without messages', async () => {
    const storage = freshStorage();
    await storage.putContact(contactFor('Bob', { lastActivityAt: 70 }));

    const [summary] = await listConversationSummaries(storage.db);

    expect(summary?.lastActivityAt).toBe(70);
    expect(directOf(summary).lastMessage).toBeUndefined();
  });

  it('leaves out blocked contacts', async () => {
    const storage = freshStorage();
    await storage.putContact(contactFor('Bob'));
    await storage.putContact(contactFor('Mallory', { state: 'blocked' }));

    const summaries = await listConversationSummaries(storage.db);

    expect(summaries.map((summary) => summary.kind === 'direct' && summary.contact.displayName)).toEqual(['Bob']);
  });

  it('folds groups and waiting join requests in by activity', async () => {
    const storage = freshStorage();
    const bob = contactFor('Bob', { lastActivityAt: 100 });
    await storage.putContact(bob);
    await storage.db.groups.add(groupRecord('group-crew', 'Crew', 300, 2));
    await storage.db.groups.add(groupRecord('group-band', 'Band', 50, 0));
    await storage.db.groupPendingJoins.bulkAdd([
      { group: 'group-choir', name: 'Choir', adminCard: bob.card, requestedAt: 200 },
      { group: 'group-gone', name: 'Gone', adminCard: bob.card, requestedAt: 400, isCancelled: true },
      { group: 'group-band', name: 'Band', adminCard: bob.card, requestedAt: 500 },
    ]);
    await storage.db.groupMessages.bulkAdd([
      groupMessage('group-crew', bob.address, 1, 'text', 'first', 10),
      groupMessage('group-crew', bob.address, 2, 'text', 'latest', 20),
      groupMessage('group-crew', bob.address, 3, 'read', undefined, 30),
    ]);

    const summaries = await listConversationSummaries(storage.db);

    expect(summaries.map((summary) => summary.key)).toEqual(['group:group-crew', 'pending-group:group-choir', `direct:${bob.address}`, 'group:group-band']);
    const crew = summaries[0];
    expect(crew?.unreadCount).toBe(2);
    expect(crew?.kind).toBe('group');
    expect(crew?.kind === 'group' ? crew.lastMessage?.text : undefined).toBe('latest');
    const band = summaries[3];
    expect(band?.kind).toBe('group');
    expect(band?.kind === 'group' ? band.lastMessage : 'not a group').toBeUndefined();
  });
});

function groupRecord(id: string, name: string, lastActivityAt: number, unreadCount: number): GroupRecord {
  return { id, name, isAnnouncement: false, roster: [], heads: [], isMember: true, ownSeq: 0, createdAt: 1, lastActivityAt, unreadCount };
}

function groupMessage(group: string, sender: string, seq: number, kind: GroupMessageRow['kind'], text: string | undefined, storedAt: number): GroupMessageRow {
  return {
    group,
    id: `${group}-${seq}`,
    sender,
    seq,
    epoch: 'epoch-id-0123456789ab',
    sentAt: storedAt,
    storedAt,
    kind,
    ...(text === undefined ? { readIds: [] } : { text }),
    wire: {} as GroupMessageRow['wire'],
  };
}
