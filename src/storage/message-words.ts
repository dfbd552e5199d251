/**
 * Keeps the `words` field of every message row in step with its text, which the multi-entry
 * `*words` index of schema version 10 searches. words-middleware.ts fills it on every write path
 * (queueOutgoing, storeIncoming, restore, edits), so no caller has to remember it.
 */

import type { Transaction } from 'dexie';
import type { MessageRecord } from '../core/storage-port.ts';
import { searchKeys } from './search-words.ts';

/** A stored message: the core's record plus the search index keys of its text (see search-words.ts). */
export type MessageRow = MessageRecord & { words?: string[] };

/** Upgrade step of schema version 10: fills `words` for the messages stored before it. */
export async function addWordsToStoredMessages(transaction: Transaction): Promise<void> {
  await transaction
    .table<MessageRow, string>('messages')
    .toCollection()
    .modify((row) => {
      row.words = messageWordsOf(row);
    });
}

/** Returns the search keys of a message row. A revision is not shown as a message, so it has none. */
export function messageWordsOf(row: MessageRow): string[] {
  if (row.revises || typeof row.text !== 'string') return [];

  return searchKeys(row.text, row.storedAt);
}
