/**
 * Records of the group layer and the storage port it needs. Group rows live beside the
 * one-to-one tables; the UI renders only what these rows hold.
 */

import type { WireCard } from '../card.ts';
import type { WireBundle } from './key-bundle.ts';
import type { WireEntry } from './membership-log.ts';
import type { WireGroupMessage } from './group-message.ts';

/** One person who is or was in a group, as the membership log last described them. */
export interface RosterEntry {
  address: string;
  displayName: string;
  card: WireCard;
  isMember: boolean;
  isAdmin: boolean;
}

/** A group as derived on this device from the membership log after every change. */
export interface GroupRecord {
  /** Hash of the log's create entry. */
  id: string;
  name: string;
  isAnnouncement: boolean;
  roster: RosterEntry[];
  /** Log entries that no other stored entry names as a parent, sorted. */
  heads: string[];
  /** Whether the owner of this device is a member in the current state of the log. */
  isMember: boolean;
  /** Set when this device's owner left the group by a leave entry of their own. */
  hasLeft?: boolean;
  /** Key bundle id that outgoing messages use; unset while no bundle matches the members. */
  currentEpoch?: string;
  /** Last sequence number this device gave to its own group message. */
  ownSeq: number;
  createdAt: number;
  lastActivityAt: number;
  unreadCount: number;
}

/** A verified membership log entry with its hash and the local time it was stored. */
export interface LogRow {
  group: string;
  hash: string;
  entry: WireEntry;
  storedAt: number;
}

/** A verified key bundle; `key` is set when it was sealed to this device's owner. */
export interface BundleRow {
  group: string;
  id: string;
  bundle: WireBundle;
  key?: Uint8Array;
  storedAt: number;
}

export type GroupMessageKind = 'text' | 'read';

/** A group message that passed sender authentication, kept as it arrived so members can relay it. */
export interface GroupMessageRow {
  group: string;
  id: string;
  sender: string;
  seq: number;
  epoch: string;
  sentAt: number;
  storedAt: number;
  kind: GroupMessageKind;
  /** Message text for kind 'text'. */
  text?: string;
  /** Ids of messages the sender has read, for kind 'read'. */
  readIds?: string[];
  wire: WireGroupMessage;
}

/** A request to join, received by an admin from someone holding the group's join link. */
export interface JoinRequestRow {
  group: string;
  address: string;
  card: WireCard;
  requestedAt: number;
}

/** A join link this device followed, kept until the group's log reaches it. */
export interface PendingJoinRow {
  group: string;
  name: string;
  adminCard: WireCard;
  requestedAt: number;
  /** Set when the user cancelled the request; the row stays until the admin got the cancellation. */
  isCancelled?: boolean;
}

/** Pair keys derived by `owner`, kept so that a restart skips one X25519 agreement per member. */
export interface PairKeyRow {
  owner: string;
  boxKey: string;
  wrapKey: Uint8Array;
  authKey: Uint8Array;
}

export type GroupStoreResult = 'stored' | 'duplicate';

export interface GroupStorage {
  getGroup(id: string): Promise<GroupRecord | undefined>;
  listGroups(): Promise<GroupRecord[]>;
  /**
   * Stores a group's derived state. A stored row keeps its ownSeq and unreadCount, which only
   * nextOwnSeq, storeGroupMessages and markGroupRead change, and its lastActivityAt only grows.
   */
  putGroup(group: GroupRecord): Promise<void>;
  markGroupRead(group: string): Promise<void>;

  listLog(group: string): Promise<LogRow[]>;
  /** Stores entries, skipping those already stored (same hash). */
  addLogEntries(rows: LogRow[]): Promise<void>;

  listBundles(group: string): Promise<BundleRow[]>;
  putBundle(row: BundleRow): Promise<void>;

  /**
   * Stores messages of one group in one transaction, skipping each one whose (group, sender,
   * seq) is already stored, and adds the stored text messages not sent by `ownAddress` to the
   * group's unread count. Returns one result per row, in order.
   */
  storeGroupMessages(rows: GroupMessageRow[], ownAddress: string): Promise<GroupStoreResult[]>;
  /** Messages of one sender in a group with seq above `afterSeq`, lowest seq first. */
  listSenderMessages(group: string, sender: string, afterSeq: number, limit: number): Promise<GroupMessageRow[]>;
  /** Every (sender, seq) stored for a group. */
  listMessageKeys(group: string): Promise<Array<{ sender: string; seq: number }>>;
  /** Gives the next sequence number of this device's own messages in a group. */
  nextOwnSeq(group: string): Promise<number>;

  putJoinRequest(row: JoinRequestRow): Promise<void>;
  listJoinRequests(group: string): Promise<JoinRequestRow[]>;
  deleteJoinRequest(group: string, address: string): Promise<void>;

  listPairKeys(owner: string): Promise<PairKeyRow[]>;
  /** Stores pair keys, replacing rows with the same (owner, boxKey). */
  putPairKeys(rows: PairKeyRow[]): Promise<void>;

  putPendingJoin(row: PendingJoinRow): Promise<void>;
  getPendingJoin(group: string): Promise<PendingJoinRow | undefined>;
  listPendingJoins(): Promise<PendingJoinRow[]>;
  deletePendingJoin(group: string): Promise<void>;
}
