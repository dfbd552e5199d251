/** The reads behind the screens, written as Dexie queries for `LiveQuery`. */

import Dexie from 'dexie';
import type { ContactRecord } from '../../core/storage-port.ts';
import type { MeshtextDatabase } from '../../storage/database.ts';
import { READ_RECEIPTS_SETTING } from '../../core/read-receipts.ts';

/** Lists contacts and message requests, most recent activity first, without blocked senders. */
export function listConversations(db: MeshtextDatabase): Promise<ContactRecord[]> {
  return db.contacts
    .orderBy('lastActivityAt')
    .reverse()
    .filter((contact) => contact.state !== 'blocked')
    .toArray();
}

export function getContact(db: MeshtextDatabase, address: string): Promise<ContactRecord | undefined> {
  return db.contacts.get(address);
}

/** Counts the outgoing messages of one conversation still waiting in the outbox for a receipt. */
export function countWaiting(db: MeshtextDatabase, conversation: string): Promise<number> {
  return db.outbox
    .where('[conversation+seq]')
    .between([conversation, Dexie.minKey], [conversation, Dexie.maxKey])
    .count();
}

/** Tells whether read receipts go out; they do unless the user switched them off. */
export async function areReadReceiptsEnabled(db: MeshtextDatabase): Promise<boolean> {
  return (await db.settings.get(READ_RECEIPTS_SETTING))?.value !== false;
}
