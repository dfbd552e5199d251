/** Reads behind the group screens, written as Dexie queries for `LiveQuery`. */

import Dexie from 'dexie';
import type { GroupMessageRow, GroupRecord, JoinRequestRow, LogRow, PendingJoinRow } from '../../core/groups/group-types.ts';
import type { MeshtextDatabase } from '../../storage/database.ts';

/** Lists the groups stored on this device, most recent activity first. */
export function listGroups(db: MeshtextDatabase): Promise<GroupRecord[]> {
  return db.groups.orderBy('lastActivityAt').reverse().toArray();
}

export function getGroup(db: MeshtextDatabase, group: string): Promise<GroupRecord | undefined> {
  return db.groups.get(group);
}

export function listPendingJoins(db: MeshtextDatabase): Promise<PendingJoinRow[]> {
  return db.groupPendingJoins.toArray();
}

export function listJoinRequests(db: MeshtextDatabase, group: string): Promise<JoinRequestRow[]> {
  return db.groupJoinRequests.where('group').equals(group).toArray();
}

/** The stored messages and log entries of a group, which the timeline merges. */
export interface GroupTimelineData {
  messages: GroupMessageRow[];
  log: LogRow[];
}

export async function loadGroupTimeline(db: MeshtextDatabase, group: string): Promise<GroupTimelineData> {
  // NOTE: this loads the whole history, as the one-to-one chat does, so long groups will need paging.
  const [messages, log] = await Promise.all([
    db.groupMessages.where('[group+storedAt]').between([group, Dexie.minKey], [group, Dexie.maxKey]).toArray(),
    db.groupLog.where('group').equals(group).toArray(),
  ]);

  return { messages, log };
}
