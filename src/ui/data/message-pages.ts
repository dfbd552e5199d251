/**
 * Page reads of one conversation's history through the `[conversation+storedAt]` index (see
 * history-pages.ts). Edits and deletions are stored as rows of their own (see revisions.ts) and
 * left out here, because the chat shows them on the messages they change. Control messages are
 * left out too.
 */

import { isRevision } from '../../core/revisions.ts';
import type { MessageRecord } from '../../core/storage-port.ts';
import type { MeshtextDatabase } from '../../storage/database.ts';
import type { HistoryBounds, HistoryPages } from './history-pages.ts';
import { historyPages } from './history-pages.ts';

/** Tells whether the chat shows a row: revisions and control messages (a profile update, say) are not shown. */
const isShown = (message: MessageRecord): boolean => !isRevision(message) && message.control === undefined;

/** Returns the page reads of one conversation's shown messages. */
export function messagePages(db: MeshtextDatabase, conversation: string): HistoryPages<MessageRecord> {
  return historyPages(db.messages, '[conversation+storedAt]', [conversation], isShown);
}

/** Reads the newest `count` messages of a conversation, oldest first. */
export function readLatestPage(db: MeshtextDatabase, conversation: string, count: number): Promise<MessageRecord[]> {
  return messagePages(db, conversation).readLatest(count);
}

/** Reads the messages of a conversation within `bounds`, oldest first. */
export function readRange(db: MeshtextDatabase, conversation: string, bounds: HistoryBounds): Promise<MessageRecord[]> {
  return messagePages(db, conversation).readRange(bounds);
}

/** Reads up to `count` messages stored before `storedAt` (excluded), newest first. */
export function readOlder(db: MeshtextDatabase, conversation: string, storedAt: number, count: number): Promise<MessageRecord[]> {
  return messagePages(db, conversation).readOlder(storedAt, count);
}

/** Reads up to `count` messages stored after `storedAt` (excluded), oldest first. */
export function readNewer(db: MeshtextDatabase, conversation: string, storedAt: number, count: number): Promise<MessageRecord[]> {
  return messagePages(db, conversation).readNewer(storedAt, count);
}
