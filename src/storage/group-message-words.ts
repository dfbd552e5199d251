/**
 * Keeps the `words` field of every group message row in step with its text, which the
 * multi-entry `*words` index of schema version 11 searches, as message-words.ts does for
 * one-to-one messages. Only text messages have words; read receipts have none.
 */

import type { Transaction } from 'dexie';
import type { GroupMessageRow } from '../core/groups/group-types.ts';
import { searchKeys } from './search-words.ts';

/** A stored group message: the group layer's row plus the search index keys of its text. */
export type GroupMessageWordsRow = GroupMessageRow & { words?: string[] };

/** Upgrade step of schema version 11: fills `words` for the group messages stored before it. */
export async function addWordsToStoredGroupMessages(transaction: Transaction): Promise<void> {
  await transaction
    .table<GroupMessageWordsRow, [string, string, number]>('groupMessages')
    .toCollection()
    .modify((row) => {
      row.words = groupMessageWordsOf(row);
    });
}

/** Returns the search keys of a group message row: none but for a text message. */
export function groupMessageWordsOf(row: GroupMessageWordsRow): string[] {
  if (row.kind !== 'text' || typeof row.text !== 'string') return [];

  return searchKeys(row.text, row.storedAt);
}
