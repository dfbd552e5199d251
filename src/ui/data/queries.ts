/** The reads behind the screens, written as Dexie queries for `LiveQuery`. */

import Dexie from 'dexie';
import type { ContactRecord } from '../../core/storage-port.ts';
import type { MeshtextDatabase } from '../../storage/database.ts';
import { READ_RECEIPTS_SETTING } from '../../core/read-receipts.ts';

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

/**
 * Tells whether this user has sent a message in a one-to-one chat. It reads at most one key per
 * conversation from the sender index, so its cost does not grow with the history. Messages
 * sent under an address retired by a key change are not counted.
 */
export async function hasSentMessage(db: MeshtextDatabase, ownAddress: string): Promise<boolean> {
  const conversations = await db.contacts.toCollection().primaryKeys();
  const firstKeys = await Promise.all(
    conversations.map((conversation) =>
      db.messages
        .where('[conversation+sender+instance+seq]')
        .between([conversation, ownAddress], [conversation, ownAddress, Dexie.maxKey])
        .firstKey(),
    ),
  );

  return firstKeys.some((key) => key !== undefined);
}
