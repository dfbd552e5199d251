/**
 * Moving one conversation into another, when the user accepts a contact's new key or links a
 * new identity to a known contact. Everything happens in one transaction, so a crash or a full
 * disk leaves both conversations as they were.
 */

import Dexie from 'dexie';
import type { ContactRecord } from '../core/storage-port.ts';
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
    if (source) await db.contacts.put({ ...source, ...changes.from, unreadCount: 0 });
    if (target) {
      await db.contacts.put({
        ...target,
        ...changes.into,
        unreadCount: target.unreadCount + (source?.unreadCount ?? 0),
        lastActivityAt: Math.max(target.lastActivityAt, source?.lastActivityAt ?? 0),
      });
    }
  });
}
