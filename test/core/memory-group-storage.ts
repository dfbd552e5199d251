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
} from '../../src/core/groups/group-types.ts';

/** In-memory GroupStorage for unit tests of the group layer. */
export class MemoryGroupStorage implements GroupStorage {
  groups = new Map<string, GroupRecord>();
  log = new Map<string, LogRow>();
  bundles = new Map<string, BundleRow>();
  messages = new Map<string, GroupMessageRow>();
  joinRequests = new Map<string, JoinRequestRow>();
  pendingJoins = new Map<string, PendingJoinRow>();
  pairKeys = new Map<string, PairKeyRow>();

  async getGroup(id: string): Promise<GroupRecord | undefined> {
    const group = this.groups.get(id);

    return group && structuredClone(group);
  }

  async listGroups(): Promise<GroupRecord[]> {
    return [...this.groups.values()].map((group) => structuredClone(group));
  }

  async putGroup(group: GroupRecord): Promise<void> {
    const existing = this.groups.get(group.id);
    this.groups.set(group.id, {
      ...structuredClone(group),
      ownSeq: existing?.ownSeq ?? group.ownSeq,
      unreadCount: existing?.unreadCount ?? group.unreadCount,
      lastActivityAt: Math.max(existing?.lastActivityAt ?? 0, group.lastActivityAt),
    });
  }

  async markGroupRead(group: string): Promise<void> {
    const record = this.groups.get(group);
    if (record) record.unreadCount = 0;
  }

  async listLog(group: string): Promise<LogRow[]> {
    return [...this.log.values()].filter((row) => row.group === group).map((row) => structuredClone(row));
  }

  async addLogEntries(rows: LogRow[]): Promise<void> {
    for (const row of rows) if (!this.log.has(row.hash)) this.log.set(row.hash, structuredClone(row));
  }

  async listBundles(group: string): Promise<BundleRow[]> {
    return [...this.bundles.values()].filter((row) => row.group === group).map((row) => structuredClone(row));
  }

  async putBundle(row: BundleRow): Promise<void> {
    this.bundles.set(row.id, structuredClone(row));
  }

  async storeGroupMessages(rows: GroupMessageRow[], ownAddress: string): Promise<GroupStoreResult[]> {
    return rows.map((row) => {
      const key = `${row.group}/${row.sender}/${row.seq}`;
      if (this.messages.has(key)) return 'duplicate';

      this.messages.set(key, structuredClone(row));
      const group = this.groups.get(row.group);
      if (group && row.kind === 'text' && row.sender !== ownAddress) group.unreadCount++;
      return 'stored';
    });
  }

  async listSenderMessages(group: string, sender: string, afterSeq: number, limit: number): Promise<GroupMessageRow[]> {
    return [...this.messages.values()]
      .filter((row) => row.group === group && row.sender === sender && row.seq > afterSeq)
      .sort((a, b) => a.seq - b.seq)
      .slice(0, limit)
      .map((row) => structuredClone(row));
  }

  async listMessageKeys(group: string): Promise<Array<{ sender: string; seq: number }>> {
    return [...this.messages.values()].filter((row) => row.group === group).map(({ sender, seq }) => ({ sender, seq }));
  }

  async nextOwnSeq(group: string): Promise<number> {
    const record = this.groups.get(group);
    if (!record) throw new Error('group not found');

    record.ownSeq++;
    return record.ownSeq;
  }

  async putJoinRequest(row: JoinRequestRow): Promise<void> {
    this.joinRequests.set(`${row.group}/${row.address}`, structuredClone(row));
  }

  async listJoinRequests(group: string): Promise<JoinRequestRow[]> {
    return [...this.joinRequests.values()].filter((row) => row.group === group);
  }

  async deleteJoinRequest(group: string, address: string): Promise<void> {
    this.joinRequests.delete(`${group}/${address}`);
  }

  async listPairKeys(owner: string): Promise<PairKeyRow[]> {
    return [...this.pairKeys.values()].filter((row) => row.owner === owner);
  }

  async putPairKeys(rows: PairKeyRow[]): Promise<void> {
    for (const row of rows) this.pairKeys.set(`${row.owner}/${row.boxKey}`, structuredClone(row));
  }

  async putPendingJoin(row: PendingJoinRow): Promise<void> {
    this.pendingJoins.set(row.group, structuredClone(row));
  }

  async getPendingJoin(group: string): Promise<PendingJoinRow | undefined> {
    return this.pendingJoins.get(group);
  }

  async listPendingJoins(): Promise<PendingJoinRow[]> {
    return [...this.pendingJoins.values()];
  }

  async deletePendingJoin(group: string): Promise<void> {
    this.pendingJoins.delete(group);
  }

  /** Texts of a group in the order they were stored. */
  texts(group: string): string[] {
    return [...this.messages.values()].filter((row) => row.group === group && row.kind === 'text').sort((a, b) => a.storedAt - b.storedAt || a.seq - b.seq).map((row) => row.text ?? '');
  }
}
