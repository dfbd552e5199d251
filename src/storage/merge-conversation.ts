/**
 * Moving one conversation into another, when the user accepts a contact's new key or links a
 * new identity to a known contact. Everything happens in one transaction, so a crash or a full
 * disk leaves both conversations as they were. Gap markers and catch-up marks are computed from
 * each message's sender, install and seq, which move with the messages; read state moves as
 * readAt on the messages and as the contact's pending read receipts.
 */

import Dexie from 'dexie';
import type { ContactRecord } from '../core/storage-port.ts';
import { MAX_PENDING_READ_RECEIPTS } from './database.ts';
import type { MeshtextDatabase } from './database.ts';

/** See CoreStorage.mergeConversation. */
export async function mergeConversation(
  db: MeshtextDatabase,
  from: string,
  into: string,
  changes: { from: Partial<ContactRecord>; into: Partial<ContactRecord> },
): Promise<void> {
  await db.transaction('rw', [db.messages, db.outbox, db.counters, db.contacts], async () => {
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

    const fromCounter = (await db.counters.get(`seq:${from}`))?.value ?? 0;
    const intoCounter = (await db.counters.get(`seq:${into}`))?.value ?? 0;
    await db.counters.put({ name: `seq:${into}`, value: Math.max(fromCounter, intoCounter) });

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
        pendingReadReceipts: pendingReadReceipts.length > 0 ? pendingReadReceipts : undefined,
      });
    }
  });
}
