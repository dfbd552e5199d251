import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { BroadcastRecipient } from '../../src/core/organiser/organiser-storage.ts';
import type { OutgoingDraft } from '../../src/core/storage-port.ts';
import { DexieStorage } from '../../src/storage/dexie-storage.ts';
import { DexieOrganiserStorage } from '../../src/storage/organiser-storage.ts';
import { contactFor, deleteTestDatabases, freshStorage } from './fixtures.ts';

afterEach(deleteTestDatabases);

function freshStorages(): { core: DexieStorage; organiser: DexieOrganiserStorage } {
  const core = freshStorage();

  return { core, organiser: new DexieOrganiserStorage(core) };
}

function draft(conversation: string, id: string, fields: Partial<OutgoingDraft> = {}): OutgoingDraft {
  return { id, conversation, sender: 'mt1self', instance: 'instance-0001', text: 'Hi Bob', sentAt: 100, ...fields };
}

describe('organiser storage', () => {
  it('queues a broadcast copy and marks its recipient in one step', async () => {
    const { core, organiser } = freshStorages();
    const bob = contactFor('Bob');
    await core.putContact(bob);
    const recipient: BroadcastRecipient = { broadcast: 'broadcast-1', address: bob.address, displayName: 'Bob', outcome: 'pending', text: 'Hi Bob' };
    await organiser.createBroadcast({ id: 'broadcast-1', template: 'Hi {name}', listIds: [], createdAt: 1, recipientCount: 1 }, [recipient]);
    expect(await organiser.listPendingRecipients()).toHaveLength(1);

    const [message] = await organiser.queueBroadcastCopies([{ recipient, draft: draft(bob.address, 'copy-000001', { isBroadcast: true }) }]);

    const stored = await organiser.db.broadcastRecipients.get(['broadcast-1', bob.address]);
    expect(stored?.outcome).toBe('queued');
    expect(stored?.messageId).toBe(message?.id);
    expect(stored?.text).toBeUndefined();
    expect(await organiser.listPendingRecipients()).toEqual([]);
    expect((await core.listOutbox(bob.address)).map((queued) => queued.isBroadcast)).toEqual([true]);
  });

  it('queues several broadcast copies in one batch', async () => {
    const { core, organiser } = freshStorages();
    const bob = contactFor('Bob');
    const carol = contactFor('Carol');
    await core.putContact(bob);
    await core.putContact(carol);
    const recipients: BroadcastRecipient[] = [bob, carol].map((contact) => ({
      broadcast: 'broadcast-1',
      address: contact.address,
      displayName: contact.displayName,
      outcome: 'pending',
      text: `Hi ${contact.displayName}`,
    }));
    await organiser.createBroadcast({ id: 'broadcast-1', template: 'Hi {name}', listIds: [], createdAt: 1, recipientCount: 2 }, recipients);

    const messages = await organiser.queueBroadcastCopies(
      recipients.map((recipient, index) => ({ recipient, draft: draft(recipient.address, `copy-00000${index + 1}`, { text: recipient.text, isBroadcast: true }) })),
    );

    expect(messages.map((message) => message.id)).toEqual(['copy-000001', 'copy-000002']);
    expect((await organiser.db.broadcastRecipients.get(['broadcast-1', bob.address]))?.messageId).toBe('copy-000001');
    expect((await organiser.db.broadcastRecipients.get(['broadcast-1', carol.address]))?.messageId).toBe('copy-000002');
    expect(await organiser.listPendingRecipients()).toEqual([]);
    expect((await core.listOutbox(carol.address)).map((queued) => queued.text)).toEqual(['Hi Carol']);
  });

  it('cancels waiting messages but not delivered or read ones', async () => {
    const { core, organiser } = freshStorages();
    const bob = contactFor('Bob');
    await core.putContact(bob);
    await core.queueOutgoing(draft(bob.address, 'message-0001'));
    await core.queueOutgoing(draft(bob.address, 'message-0002', { sentAt: 101 }));
    await core.queueOutgoing(draft(bob.address, 'message-0004', { sentAt: 102 }));
    await core.markDelivered(bob.address, ['message-0001']);
    await core.markRead(bob.address, ['message-0004']);

    await organiser.cancelOutgoing(['message-0001', 'message-0002', 'missing-0003', 'message-0004']);

    expect((await core.db.messages.get('message-0001'))?.status).toBe('delivered');
    expect((await core.db.messages.get('message-0002'))?.status).toBe('cancelled');
    expect((await core.db.messages.get('message-0004'))?.status).toBe('read');
    expect(await core.listOutboxConversations()).toEqual([]);
  });

  it('marks declined broadcast copies of that conversation only', async () => {
    const { core, organiser } = freshStorages();
    const bob = contactFor('Bob');
    const carol = contactFor('Carol');
    await core.putContact(bob);
    await core.putContact(carol);
    await core.queueOutgoing(draft(bob.address, 'copy-bob-001', { isBroadcast: true }));
    await core.queueOutgoing(draft(bob.address, 'plain-bob-01'));
    await core.queueOutgoing(draft(carol.address, 'copy-carol-1', { isBroadcast: true }));
    await core.markDelivered(bob.address, ['copy-bob-001']);

    await organiser.markDeclined(bob.address, ['copy-bob-001', 'plain-bob-01', 'copy-carol-1']);

    expect((await core.db.messages.get('copy-bob-001'))?.status).toBe('cancelled');
    expect((await core.db.messages.get('plain-bob-01'))?.status).toBe('queued');
    expect((await core.db.messages.get('copy-carol-1'))?.status).toBe('queued');
  });

  it('keeps the first time a member joined and deletes memberships with the list', async () => {
    const { organiser } = freshStorages();
    await organiser.putList({ id: 'list-000001', name: 'Crew', createdAt: 1, joinToken: 'token-0123456789abcdef' });
    await organiser.addMembers('list-000001', ['mt1a', 'mt1b'], 10);
    await organiser.addMembers('list-000001', ['mt1b', 'mt1c'], 20);

    expect((await organiser.listMembers('list-000001')).map((member) => [member.address, member.addedAt])).toEqual([
      ['mt1a', 10],
      ['mt1b', 10],
      ['mt1c', 20],
    ]);

    await organiser.deleteList('list-000001');
    expect(await organiser.listMembers('list-000001')).toEqual([]);
    expect(await organiser.getList('list-000001')).toBeUndefined();
  });

  it('does not count a control message as conversation activity', async () => {
    const { core } = freshStorages();
    const bob = contactFor('Bob');
    await core.putContact(bob);

    await core.queueOutgoing(draft(bob.address, 'control-0001', { text: '', sentAt: 500, control: { kind: 'opt-out' } }));

    expect((await core.getContact(bob.address))?.lastActivityAt).toBe(1);
  });

  it('stores the own profile', async () => {
    const { organiser } = freshStorages();
    expect(await organiser.loadOwnProfile()).toBeUndefined();

    await organiser.saveOwnProfile({ status: 'on stage', updatedAt: 5 });

    expect(await organiser.loadOwnProfile()).toEqual({ status: 'on stage', updatedAt: 5 });
  });
});
