/**
 * GroupStorage on IndexedDB through Dexie. Counters that several writers change (a group's own
 * sequence number and unread count) change only inside transactions that read them first.
 */

import Dexie from 'dexie';
import type {
  BundleRow,
  GroupMessageRow,
  GroupRecord,
  GroupStorage,
  GroupStoreResult,
  JoinRequestRow,
  LogRow,
  PairKeyRow,
  PendingJoinRow,
} from '../core/groups/group-types.ts';
import type { MeshtextDatabase } from './database.ts';
import { toStorageError } from './storage-errors.ts';

export class DexieGroupStorage implements GroupStorage {
  readonly db: MeshtextDatabase;

  constructor(db: MeshtextDatabase) {
    this.db = db;
  }

  getGroup(id: string): Promise<GroupRecord | undefined> {
    return this.db.groups.get(id);
  }

  listGroups(): Promise<GroupRecord[]> {
    return this.db.groups.toArray();
  }

  async putGroup(group: GroupRecord): Promise<void> {
    const { db } = this;

    await guard(() =>
      db.transaction('rw', db.groups, async () => {
        const existing = await db.groups.get(group.id);
        await db.groups.put({
          ...group,
          ownSeq: existing?.ownSeq ?? group.ownSeq,
          unreadCount: existing?.unreadCount ?? group.unreadCount,
          lastActivityAt: Math.max(existing?.lastActivityAt ?? 0, group.lastActivityAt),
        });
      }),
    );
  }

  async markGroupRead(group: string): Promise<void> {
    await guard(() => this.db.groups.update(group, { unreadCount: 0 }));
  }

  listLog(group: string): Promise<LogRow[]> {
    return this.db.groupLog.where('group').equals(group).toArray();
  }

  async addLogEntries(rows: LogRow[]): Promise<void> {
    const { db } = this;

    await guard(() =>
      db.transaction('rw', db.groupLog, async () => {
        const existing = await db.groupLog.bulkGet(rows.map((row) => row.hash));
        await db.groupLog.bulkAdd(rows.filter((_, index) => existing[index] === undefined));
      }),
    );
  }

  listBundles(group: string): Promise<BundleRow[]> {
    return this.db.groupBundles.where('group').equals(group).toArray();
  }

  async putBundle(row: BundleRow): Promise<void> {
    await guard(() => this.db.groupBundles.put(row));
  }

  async storeGroupMessages(rows: GroupMessageRow[], ownAddress: string): Promise<GroupStoreResult[]> {
    const { db } = this;

    return guard(() =>
      db.transaction('rw', [db.groupMessages, db.groups], async () => {
        // Adding all rows and reading the duplicates off the BulkError saves a read of every key.
        // Caught inside the transaction, the error does not abort it, so the other rows stay.
        const results: GroupStoreResult[] = rows.map(() => 'stored');
        try {
          await db.groupMessages.bulkAdd(rows);
        } catch (error) {
          if (!(error instanceof Dexie.BulkError)) throw error;
          for (const position of Object.keys(error.failuresByPos)) results[Number(position)] = 'duplicate';
        }

        const counts = new Map<string, { unread: number; latest: number }>();
        rows.forEach((row, index) => {
          if (results[index] !== 'stored') return;
          const count = counts.get(row.group) ?? { unread: 0, latest: 0 };
          if (row.kind === 'text' && row.sender !== ownAddress) count.unread++;
          count.latest = Math.max(count.latest, row.storedAt);
          counts.set(row.group, count);
        });
        for (const [group, count] of counts) {
          const record = await db.groups.get(group);
          if (!record) continue;
          await db.groups.update(group, { unreadCount: record.unreadCount + count.unread, lastActivityAt: Math.max(record.lastActivityAt, count.latest) });
        }

        return results;
      }),
    );
  }

  listSenderMessages(group: string, sender: string, afterSeq: number, limit: number): Promise<GroupMessageRow[]> {
    return this.db.groupMessages
      .where('[group+sender+seq]')
      .between([group, sender, afterSeq], [group, sender, Dexie.maxKey], false, true)
      .limit(limit)
      .toArray();
  }

  async listMessageKeys(group: string): Promise<Array<{ sender: string; seq: number }>> {
    const keys = await this.db.groupMessages
      .where('[group+sender+seq]')
      // [group] sorts before every key of the group and [group, []] after, since arrays sort above strings.
      .between([group], [group, []])
      .primaryKeys();

    return keys.map(([, sender, seq]) => ({ sender, seq }));
  }

  async nextOwnSeq(group: string): Promise<number> {
    const { db } = this;

    return guard(() =>
      db.transaction('rw', db.groups, async () => {
        const record = await db.groups.get(group);
        if (!record) throw new Error('group not found');
        const seq = record.ownSeq + 1;
        await db.groups.update(group, { ownSeq: seq });
        return seq;
      }),
    );
  }

  async putJoinRequest(row: JoinRequestRow): Promise<void> {
    await guard(() => this.db.groupJoinRequests.put(row));
  }

  listJoinRequests(group: string): Promise<JoinRequestRow[]> {
    return this.db.groupJoinRequests.where('group').equals(group).toArray();
  }

  async deleteJoinRequest(group: string, address: string): Promise<void> {
    await guard(() => this.db.groupJoinRequests.delete([group, address]));
  }

  listPairKeys(owner: string): Promise<PairKeyRow[]> {
    return this.db.groupPairKeys.where('[owner+boxKey]').between([owner, Dexie.minKey], [owner, Dexie.maxKey]).toArray();
  }

  async putPairKeys(rows: PairKeyRow[]): Promise<void> {
    await guard(() => this.db.groupPairKeys.bulkPut(rows));
  }

  async putPendingJoin(row: PendingJoinRow): Promise<void> {
    await guard(() => this.db.groupPendingJoins.put(row));
  }

  getPendingJoin(group: string): Promise<PendingJoinRow | undefined> {
    return this.db.groupPendingJoins.get(group);
  }

  listPendingJoins(): Promise<PendingJoinRow[]> {
    return this.db.groupPendingJoins.toArray();
  }

  async deletePendingJoin(group: string): Promise<void> {
    await guard(() => this.db.groupPendingJoins.delete(group));
  }
}

async function guard<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    throw toStorageError(error);
  }
}
