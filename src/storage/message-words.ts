/**
 * Keeps the `words` field of every message row in step with its text, which the multi-entry
 * `*words` index of schema version 10 searches. Dexie table hooks fill it on every write path
 * (queueOutgoing, storeIncoming, restore, edits), so no caller has to remember it.
 */

import type { EntityTable, Transaction } from 'dexie';
import type { MessageRecord } from '../core/storage-port.ts';
import { searchKeys } from './search-words.ts';

/** A stored message: the core's record plus the search index keys of its text (see search-words.ts). */
export type MessageRow = MessageRecord & { words?: string[] };

/** Installs the hooks that set `words` from `text` whenever a message row is created or changed. */
export function indexMessageWords(messages: EntityTable<MessageRow, 'id'>): void {
  messages.hook('creating', (_key, row) => {
    row.words = wordsOf(row);
  });
  messages.hook('updating', (changes, _key, row) => {
    if (!('text' in changes)) return undefined;

    return { words: wordsOf({ ...row, ...(changes as Partial<MessageRow>) }) };
  });
}

/** Upgrade step of schema version 10: fills `words` for the messages stored before it. */
export async function addWordsToStoredMessages(transaction: Transaction): Promise<void> {
  await transaction
    .table<MessageRow, string>('messages')
    .toCollection()
    .modify((row) => {
      row.words = wordsOf(row);
    });
}

function wordsOf(row: MessageRow): string[] {
  // A revision is not shown as a message, so search must not find it either.
  if (row.revises || typeof row.text !== 'string') return [];

  return searchKeys(row.text, row.storedAt);
}
