/**
 * Moving one conversation into another, when the user accepts a contact's new key or links a
 * new identity to a known contact. Everything happens in one transaction, so a crash or a full
 * disk leaves both conversations as they were. Gap markers and catch-up marks are computed from
 * the received records (see received-table.ts), which move with the messages; read state moves
 * as readAt on the messages and as the contact's pending read receipts. Contact list memberships
 * move to the new address too.
 */

import Dexie from 'dexie';
import type { ContactRecord } from '../core/storage-port.ts';
import { addRanges } from '../core/received-seqs.ts';
import { MAX_PENDING_READ_RECEIPTS } from './database.ts';
import type { MeshtextDatabase } from './database.ts';
import { listReceived } from './received-table.ts';

/** See CoreStorage.mergeConversation. */
export async function mergeConversation(
  db: MeshtextDatabase,
  from: string,
  into: string,
  changes: { from: Partial<ContactRecord>; into: Partial<ContactRecord> },
): Promise<void> {
  await db.transaction('rw', [db.messages, db.outbox, db.counters, db.contacts, db.listMembers, db.received], async () => {
    const waiting = new Set(
      (await db.outbox.where('[conversation+seq]').between([from, Dexie.minKey], [from, Dexie.maxKey]).toArray()).map(
        (entry) => entry.messageId,
      ),
    );

    await db.messages
      .where('[conversation+storedAt]')
      .between([from, Dexie.minKey], [from, Dexie.maxKey])
      .modify((message) => {
        message.conversation = into;
        if (message.direction === 'in') message.sender = into;
        if (waiting.has(message.id)) {
          delete message.mailboxedAt;
          delete message.carriedAt;
          if (message.status === 'sent') message.status = 'queued';
        }
      });
    await db.outbox.where('messageId').anyOf([...waiting]).modify({ conversation: into });

    await moveReceived(db, from, into);

    const fromCounter = (await db.counters.get(`seq:${from}`))?.value ?? 0;
    const intoCounter = (await db.counters.get(`seq:${into}`))?.value ?? 0;
    await db.counters.put({ name: `seq:${into}`, value: Math.max(fromCounter, intoCounter) });

    // Contact lists keep the person at the new address, as broadcasts and list links expect.
    const memberships = await db.listMembers.where('address').equals(from).toArray();
    await db.listMembers.bulkPut(memberships.map((row) => ({ ...row, address: into })));
    await db.listMembers.bulkDelete(memberships.map((row): [string, string] => [row.list, from]));

    const source = await db.contacts.get(from);
    const target = await db.contacts.get(into);
    if (source) await db.contacts.put({ ...source, ...changes.from, unreadCount: 0, pendingReadReceipts: undefined });
    if (target) {
      // Read receipts still owed for the moved messages go out on the conversation they moved to.
      const pendingReadReceipts = [...(target.pendingReadReceipts ?? []), ...(source?.pendingReadReceipts ?? [])].slice(-MAX_PENDING_READ_RECEIPTS);
      await db.contacts.put({
        ...target,
        ...changes.into,
        unreadCount: target.unreadCount + (source?.unreadCount ?? 0),
        lastActivityAt: Math.max(target.lastActivityAt, source?.lastActivityAt ?? 0),
        lastBroadcastReceivedAt: latestBroadcast(target, source),
        pendingReadReceipts: pendingReadReceipts.length > 0 ? pendingReadReceipts : undefined,
      });
    }
  });
}

/** Moves the received records of `from` into `into`, where the old key's messages now have `into` as sender. */
async function moveReceived(db: MeshtextDatabase, from: string, into: string): Promise<void> {
  const moved = await listReceived(db.received, from);

  for (const record of moved) {
    const sender = record.sender === from ? into : record.sender;
    const existing = await db.received.get([into, sender, record.instance]);
    await db.received.put({ conversation: into, sender, instance: record.instance, ranges: addRanges(existing?.ranges ?? [], record.ranges) });
  }
  await db.received.bulkDelete(moved.map((record) => [record.conversation, record.sender, record.instance]));
}

/** Returns the later broadcast time of two contacts merged into one, or undefined when neither received one. */
function latestBroadcast(target: ContactRecord, source: ContactRecord | undefined): number | undefined {
  const times = [target.lastBroadcastReceivedAt, source?.lastBroadcastReceivedAt].filter((time) => time !== undefined);

  return times.length > 0 ? Math.max(...times) : undefined;
}
