/**
 * Keeps the `words` field of every group message row in step with its text, which the
 * multi-entry `*words` index of schema version 11 searches, as message-words.ts does for
 * one-to-one messages. Only text messages have words; read receipts have none.
 */

import type { Table, Transaction } from 'dexie';
import type { GroupMessageRow } from '../core/groups/group-types.ts';
import { searchKeys } from './search-words.ts';

/** A stored group message: the group layer's row plus the search index keys of its text. */
export type GroupMessageWordsRow = GroupMessageRow & { words?: string[] };

/** Installs the hooks that set `words` from `text` whenever a group message row is created or changed. */
export function indexGroupMessageWords(groupMessages: Table<GroupMessageWordsRow, [string, string, number]>): void {
  groupMessages.hook('creating', (_key, row) => {
    row.words = wordsOf(row);
  });
  groupMessages.hook('updating', (changes, _key, row) => {
    if (!('text' in changes) && !('kind' in changes)) return undefined;

    return { words: wordsOf({ ...row, ...(changes as Partial<GroupMessageWordsRow>) }) };
  });
}

/** Upgrade step of schema version 11: fills `words` for the group messages stored before it. */
export async function addWordsToStoredGroupMessages(transaction: Transaction): Promise<void> {
  await transaction
    .table<GroupMessageWordsRow, [string, string, number]>('groupMessages')
    .toCollection()
    .modify((row) => {
      row.words = wordsOf(row);
    });
}

function wordsOf(row: GroupMessageWordsRow): string[] {
  if (row.kind !== 'text' || typeof row.text !== 'string') return [];

  return searchKeys(row.text, row.storedAt);
}
