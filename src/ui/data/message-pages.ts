/**
 * Page reads of one conversation's history through the `[conversation+storedAt]` index. Each
 * read touches only the rows it returns, so their cost does not grow with the history. Edits
 * and deletions are stored as rows of their own (see revisions.ts) and left out here, because
 * the chat shows them on the messages they change. Control messages are left out too.
 */

import Dexie from 'dexie';
import { isRevision } from '../../core/revisions.ts';
import type { MessageRecord } from '../../core/storage-port.ts';
import type { MeshtextDatabase } from '../../storage/database.ts';

/** Tells whether the chat shows a row: revisions and control messages (a profile update, say) are not shown. */
const isShown = (message: MessageRecord): boolean => !isRevision(message) && message.control === undefined;

/** Range of storedAt values shown, both ends included; `to` undefined reaches the newest message. */
export interface MessageBounds {
  from: number;
  to: number | undefined;
}

/** Reads the newest `count` messages of a conversation, oldest first. */
export async function readLatestPage(db: MeshtextDatabase, conversation: string, count: number): Promise<MessageRecord[]> {
  const newestFirst = await db.messages
    .where('[conversation+storedAt]')
    .between([conversation, Dexie.minKey], [conversation, Dexie.maxKey])
    .reverse()
    .filter(isShown)
    .limit(count)
    .toArray();

  return newestFirst.reverse();
}

/** Reads the messages of a conversation within `bounds`, oldest first. */
export function readRange(db: MeshtextDatabase, conversation: string, bounds: MessageBounds): Promise<MessageRecord[]> {
  return db.messages
    .where('[conversation+storedAt]')
    .between([conversation, bounds.from], [conversation, bounds.to ?? Dexie.maxKey], true, true)
    .filter(isShown)
    .toArray();
}

/** Reads up to `count` messages stored before `storedAt` (excluded), newest first. */
export function readOlder(db: MeshtextDatabase, conversation: string, storedAt: number, count: number): Promise<MessageRecord[]> {
  return db.messages
    .where('[conversation+storedAt]')
    .between([conversation, Dexie.minKey], [conversation, storedAt], true, false)
    .reverse()
    .filter(isShown)
    .limit(count)
    .toArray();
}

/** Reads up to `count` messages stored after `storedAt` (excluded), oldest first. */
export function readNewer(db: MeshtextDatabase, conversation: string, storedAt: number, count: number): Promise<MessageRecord[]> {
  return db.messages
    .where('[conversation+storedAt]')
    .between([conversation, storedAt], [conversation, Dexie.maxKey], false, true)
    .filter(isShown)
    .limit(count)
    .toArray();
}
