/**
 * Everything known about one group, loaded from storage: the log, its current state and the
 * key bundles. Also the rules that depend on all three: which epoch outgoing messages use and
 * whether a message's sender may post it.
 */

import type { WireCard } from '../card.ts';
import type { BundleRow, GroupRecord, GroupStorage, RosterEntry } from './group-types.ts';
import type { Epoch, WireGroupMessage } from './group-message.ts';
import type { GroupState } from './membership-log.ts';
import { MembershipLog } from './membership-log.ts';

export interface GroupContext {
  group: string;
  record: GroupRecord | undefined;
  log: MembershipLog;
  state: GroupState;
  bundles: Map<string, BundleRow>;
}

export async function loadGroupContext(storage: GroupStorage, group: string): Promise<GroupContext> {
  const [record, rows, bundleRows] = await Promise.all([storage.getGroup(group), storage.listLog(group), storage.listBundles(group)]);
  const log = new MembershipLog(rows);

  return { group, record, log, state: log.state(), bundles: new Map(bundleRows.map((row) => [row.id, row])) };
}

/**
 * Picks the bundle that outgoing messages use: one made for exactly the
 * current members, after every add and removal in the log. Among several (admins who rotated
 * at once) the lowest id wins on every device. Returns undefined when an admin still has to
 * issue one.
 */
export function pickCurrentBundle(context: GroupContext): BundleRow | undefined {
  const members = [...context.state.members].sort();
  const changes = context.log.ordered().filter(({ entry }) => ['create', 'add', 'remove', 'leave', 'rotate'].includes(entry.op.k));
  const candidates = [...context.bundles.values()].filter((row) => {
    const listed = row.bundle.members;
    if (listed.length !== members.length || listed.some((address, index) => members[index] !== address)) return false;

    const past = context.log.past(row.bundle.heads);
    return changes.every(({ hash }) => past.has(hash));
  });

  return candidates.sort((a, b) => (a.id < b.id ? -1 : 1))[0];
}

/** Tells whether the current members lack a bundle, so an admin should issue one. */
export function needsNewBundle(context: GroupContext): boolean {
  return context.state.members.size > 0 && !pickCurrentBundle(context);
}

/** Builds the epoch of a bundle whose key this device has opened. */
export function epochOf(row: BundleRow, state: GroupState): Epoch | undefined {
  if (!row.key) return undefined;

  const boxKeys: string[] = [];
  for (const address of row.bundle.members) {
    const card = state.cards.get(address);
    if (!card) return undefined;
    boxKeys.push(card.boxKey);
  }

  return { group: row.group, id: row.id, key: row.key, members: row.bundle.members, boxKeys };
}

/**
 * Explains why a sender may not post a message under its epoch, or returns undefined when it
 * may. A removal of the sender that the epoch does not follow caps the sender's sequence numbers
 * at the last one the removing admin had accepted, so nothing can be back-dated under an old key.
 */
export function rejectionOf(message: WireGroupMessage, row: BundleRow, context: GroupContext): string | undefined {
  if (!row.bundle.members.includes(message.sender)) return 'sender is not a member of the epoch';

  const removals = context.state.removals.get(message.sender) ?? [];
  if (removals.length === 0) return undefined;

  const past = context.log.past(row.bundle.heads);
  const cap = removals.filter((removal) => !past.has(removal.hash));
  if (cap.some((removal) => message.seq > removal.lastSeq)) return 'message was sent after its sender was removed';

  return undefined;
}

/** Derives the stored group record from the current state. */
export function deriveRecord(context: GroupContext, ownAddress: string, now: number): GroupRecord {
  const { state, log, record } = context;
  const roster: RosterEntry[] = [...state.cards.entries()].map(([address, card]: [string, WireCard]) => ({
    address,
    displayName: card.name,
    card,
    isMember: state.members.has(address),
    isAdmin: state.admins.has(address),
  }));
  roster.sort((a, b) => Number(b.isMember) - Number(a.isMember) || a.displayName.localeCompare(b.displayName) || (a.address < b.address ? -1 : 1));
  const current = pickCurrentBundle(context);
  const createdAt = log.ordered()[0]?.entry.at ?? now;

  return {
    id: context.group,
    name: state.name,
    isAnnouncement: state.isAnnouncement,
    roster,
    heads: log.heads(),
    isMember: state.members.has(ownAddress),
    ...(!state.members.has(ownAddress) && state.leavers.has(ownAddress) && { hasLeft: true }),
    ...(current?.key && { currentEpoch: current.id }),
    ownSeq: record?.ownSeq ?? 0,
    createdAt: record?.createdAt ?? createdAt,
    lastActivityAt: Math.max(record?.lastActivityAt ?? createdAt, now),
    unreadCount: record?.unreadCount ?? 0,
  };
}
