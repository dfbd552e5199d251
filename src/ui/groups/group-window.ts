/**
 * Reads behind the windowed group chat: its text messages a page at a time through the
 * `[group+kind+storedAt]` index, and for the part held, the membership events to show between
 * them and the read receipts behind the "read by" lists.
 */

import Dexie from 'dexie';
import type { GroupMessageRow, LogRow } from '../../core/groups/group-types.ts';
import type { MeshtextDatabase } from '../../storage/database.ts';
import type { HistoryBounds } from '../data/history-pages.ts';
import { historyPages } from '../data/history-pages.ts';
import type { HistorySource } from '../chat/history-window.svelte.ts';
import { groupMessageKey } from './group-message-key.ts';

/** Rows a group chat shows beside the text messages held. */
export interface GroupDetails {
  /** Membership events stored within the bounds held. */
  log: LogRow[];
  /** Read receipts stored from the lower bound on. */
  reads: GroupMessageRow[];
}

export const NO_GROUP_DETAILS: GroupDetails = { log: [], reads: [] };

/** Returns the reads of one group's chat history for a `HistoryWindow`. */
export function groupHistorySource(db: MeshtextDatabase, group: string): HistorySource<GroupMessageRow, GroupDetails> {
  return {
    ...historyPages(db.groupMessages, '[group+kind+storedAt]', [group, 'text']),
    keyOf: groupMessageKey,
    readDetails: (bounds) => readGroupDetails(db, group, bounds),
  };
}

/**
 * Reads the membership events within `bounds` and the read receipts stored from its lower end
 * on. A receipt is stored after the message it reports on when both come from the same device.
 * NOTE: a receipt relayed ahead of the message it reports on, and stored before the lower end,
 * is missed until the window reaches back to it.
 */
export async function readGroupDetails(db: MeshtextDatabase, group: string, bounds: HistoryBounds): Promise<GroupDetails> {
  const [log, reads] = await Promise.all([
    db.groupLog
      .where('[group+storedAt]')
      .between([group, bounds.from], [group, bounds.to ?? Dexie.maxKey], true, true)
      .toArray(),
    db.groupMessages
      .where('[group+kind+storedAt]')
      .between([group, 'read', bounds.from], [group, 'read', Dexie.maxKey], true, true)
      .toArray(),
  ]);

  return { log, reads };
}
