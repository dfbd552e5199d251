import type { GroupMessageRow } from '../../core/groups/group-types.ts';

/**
 * Returns the key of a group message in the group chat and in search results. It is built from
 * the row's primary key, because the message id is chosen by the sender and two stored messages
 * may carry the same one.
 */
export function groupMessageKey(row: Pick<GroupMessageRow, 'sender' | 'seq'>): string {
  return `m:${row.sender}:${row.seq}`;
}
