/** Reads behind the group screens, written as Dexie queries for `LiveQuery`. */

import type { GroupRecord, JoinRequestRow, PendingJoinRow } from '../../core/groups/group-types.ts';
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
