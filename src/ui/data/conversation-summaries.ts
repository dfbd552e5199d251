/**
 * The conversation list's read: one-to-one chats, groups, join requests still waiting, and
 * broadcasts in one list, most recent activity first, with a preview of the last message and
 * the unread count.
 */

import Dexie from 'dexie';
import type { GroupMessageRow, GroupRecord, PendingJoinRow } from '../../core/groups/group-types.ts';
import type { BroadcastRecord } from '../../core/organiser/organiser-storage.ts';
import { isRevision } from '../../core/revisions.ts';
import type { ContactRecord, MessageRecord } from '../../core/storage-port.ts';
import type { MeshtextDatabase } from '../../storage/database.ts';

export interface DirectSummary {
  kind: 'direct';
  key: string;
  contact: ContactRecord;
  /**
   * Time of the last chat message, or of the contact's last activity in a chat without one.
   * Editing or deleting the message for everyone leaves it as it was.
   */
  lastActivityAt: number;
  unreadCount: number;
  /** The last chat message, if any, with its current text and edit or deletion marks. */
  lastMessage: MessageRecord | undefined;
}

export interface BroadcastSummary {
  kind: 'broadcast';
  key: string;
  broadcast: BroadcastRecord;
  lastActivityAt: number;
  unreadCount: 0;
}

export interface GroupSummary {
  kind: 'group';
  key: string;
  group: GroupRecord;
  lastActivityAt: number;
  unreadCount: number;
  /** The last text message of the group, if any. */
  lastMessage: GroupMessageRow | undefined;
}

/** A join request this user sent, for a group whose log has not arrived yet. */
export interface PendingGroupSummary {
  kind: 'pending-group';
  key: string;
  pending: PendingJoinRow;
  lastActivityAt: number;
  unreadCount: 0;
}

export type ConversationSummary = DirectSummary | GroupSummary | PendingGroupSummary | BroadcastSummary;

/**
 * Lists chats and broadcasts, most recent first. Requests are included, but not blocked senders
 * or the new keys of a contact whose key change waits for the user (its chat asks).
 */
export function listConversationSummaries(db: MeshtextDatabase): Promise<ConversationSummary[]> {
  // One transaction for the reads: with hundreds of contacts, a transaction of their own for each
  // contact's last message took about half again as long in Chromium.
  return db.transaction('r', [db.contacts, db.broadcasts, db.groups, db.groupPendingJoins, db.messages, db.groupMessages], () => readSummaries(db));
}

async function readSummaries(db: MeshtextDatabase): Promise<ConversationSummary[]> {
  const contacts = await db.contacts.filter((contact) => contact.state !== 'blocked' && !(contact.state === 'request' && contact.rotatedFrom !== undefined)).toArray();
  const broadcasts = await db.broadcasts.toArray();
  const groups = await db.groups.toArray();
  const pendingJoins = await db.groupPendingJoins.toArray();

  const direct = await Promise.all(
    contacts.map(async (contact): Promise<DirectSummary> => {
      const lastMessage = await lastChatMessage(db, contact.address);

      // Earlier versions raised the contact's activity time on an own edit, so the time
      // comes from the message itself where there is one.
      return {
        kind: 'direct',
        key: `direct:${contact.address}`,
        contact,
        lastActivityAt: lastMessage?.storedAt ?? contact.lastActivityAt,
        unreadCount: contact.unreadCount,
        lastMessage,
      };
    }),
  );
  const sent = broadcasts.map((broadcast): BroadcastSummary => ({
    kind: 'broadcast',
    key: `broadcast:${broadcast.id}`,
    broadcast,
    lastActivityAt: broadcast.createdAt,
    unreadCount: 0,
  }));

  const groupSummaries = await Promise.all(
    groups.map(async (group): Promise<GroupSummary> => ({
      kind: 'group',
      key: `group:${group.id}`,
      group,
      lastActivityAt: group.lastActivityAt,
      unreadCount: group.unreadCount,
      lastMessage: await lastGroupText(db, group.id),
    })),
  );
  const known = new Set(groups.map((group) => group.id));
  const waiting = pendingJoins
    .filter((pending) => !pending.isCancelled && !known.has(pending.group))
    .map((pending): PendingGroupSummary => ({
      kind: 'pending-group',
      key: `pending-group:${pending.group}`,
      pending,
      lastActivityAt: pending.requestedAt,
      unreadCount: 0,
    }));

  return [...direct, ...groupSummaries, ...waiting, ...sent].sort((a, b) => b.lastActivityAt - a.lastActivityAt);
}

async function lastGroupText(db: MeshtextDatabase, group: string): Promise<GroupMessageRow | undefined> {
  return db.groupMessages
    .where('[group+storedAt]')
    .between([group, Dexie.minKey], [group, Dexie.maxKey])
    .reverse()
    .filter((message) => message.kind === 'text')
    .first();
}

async function lastChatMessage(db: MeshtextDatabase, conversation: string): Promise<MessageRecord | undefined> {
  return db.messages
    .where('[conversation+storedAt]')
    .between([conversation, Dexie.minKey], [conversation, Dexie.maxKey])
    .reverse()
    .filter((message) => message.control === undefined && !isRevision(message))
    .first();
}
