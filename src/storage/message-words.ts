/**
 * Keeps the `words` field of every message row in step with its text, which the multi-entry
 * `*words` index of schema version 7 searches. Dexie table hooks fill it on every write path
 * (queueOutgoing, storeIncoming, restore, edits), so no caller has to remember it.
 */

import type { EntityTable, Transaction } from 'dexie';
import type { MessageRecord } from '../core/storage-port.ts';
import { searchWords } from './search-words.ts';

/** A stored message: the core's record plus the words of its text for the search index. */
export type MessageRow = MessageRecord & { words?: string[] };

/** Installs the hooks that set `words` from `text` whenever a message row is created or changed. */
export function indexMessageWords(messages: EntityTable<MessageRow, 'id'>): void {
  messages.hook('creating', (_key, row) => {
    // A revision is not shown as a message, so search must not find it either.
    row.words = row.revises ? [] : searchWords(row.text);
  });
  messages.hook('updating', (changes) => {
    if (!('text' in changes)) return undefined;

    const text = (changes as Partial<MessageRow>).text;

    return { words: typeof text === 'string' ? searchWords(text) : [] };
  });
}

/** Upgrade step of schema version 7: fills `words` for the messages stored before it. */
export async function addWordsToStoredMessages(transaction: Transaction): Promise<void> {
  await transaction
    .table<MessageRow, string>('messages')
    .toCollection()
    .modify((row) => {
      row.words = row.revises ? [] : searchWords(row.text);
    });
}
