/** The reads behind the screens, written as Dexie queries for `LiveQuery`. */

import Dexie from 'dexie';
import type { ContactRecord, MessageRecord } from '../../core/storage-port.ts';
import type { MeshtextDatabase } from '../../storage/database.ts';
import { READ_RECEIPTS_SETTING } from '../../core/read-receipts.ts';
import { SharedRows } from './shared-rows.ts';

/**
 * Lists contacts and message requests, most recent activity first, without blocked senders and
 * without the new keys of a contact whose key change waits for the user (its chat asks).
 */
export function listConversations(db: MeshtextDatabase): Promise<ContactRecord[]> {
  return db.contacts
    .orderBy('lastActivityAt')
    .reverse()
    .filter((contact) => contact.state !== 'blocked' && !(contact.state === 'request' && contact.rotatedFrom !== undefined))
    .toArray();
}

export function getContact(db: MeshtextDatabase, address: string): Promise<ContactRecord | undefined> {
  return db.contacts.get(address);
}

/** Rows of the conversation read last, so an unchanged message keeps its object; see SharedRows. */
const sharedMessages = new WeakMap<MeshtextDatabase, { conversation: string; rows: SharedRows<MessageRecord> }>();

/**
 * Lists the chat messages of one conversation, control messages left out, in the order they were
 * stored on this device. A message that did not change since the previous call for the same
 * conversation is returned as the same object.
 */
export async function listMessages(db: MeshtextDatabase, conversation: string): Promise<MessageRecord[]> {
  // NOTE: this loads the whole history, so a long conversation will need paging here.
  // Filtering after toArray() lets Dexie read the range with one getAll() request; a Dexie
  // filter() walks a cursor, one request per row.
  const messages = await db.messages
    .where('[conversation+storedAt]')
    .between([conversation, Dexie.minKey], [conversation, Dexie.maxKey])
    .toArray();
  let shared = sharedMessages.get(db);
  if (shared?.conversation !== conversation) {
    shared = { conversation, rows: new SharedRows() };
    sharedMessages.set(db, shared);
  }

  return shared.rows.share(
    messages.filter((message) => message.control === undefined),
    (message) => message.id,
  );
}

/** Counts the outgoing chat messages of one conversation still waiting in the outbox for a receipt. */
export async function countWaiting(db: MeshtextDatabase, conversation: string): Promise<number> {
  const entries = await db.outbox
    .where('[conversation+seq]')
    .between([conversation, Dexie.minKey], [conversation, Dexie.maxKey])
    .toArray();
  const messages = await db.messages.bulkGet(entries.map((entry) => entry.messageId));

  return messages.filter((message) => message !== undefined && message.control === undefined).length;
}

/** Tells whether read receipts go out; they do unless the user switched them off. */
export async function areReadReceiptsEnabled(db: MeshtextDatabase): Promise<boolean> {
  return (await db.settings.get(READ_RECEIPTS_SETTING))?.value !== false;
}
