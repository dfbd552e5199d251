/**
 * The conversation list's read: one-to-one chats and broadcasts in one list, most recent
 * activity first, with a preview of the last message and the unread count.
 */

import Dexie from 'dexie';
import type { BroadcastRecord } from '../../core/organiser/organiser-storage.ts';
import type { ContactRecord, MessageRecord } from '../../core/storage-port.ts';
import type { MeshtextDatabase } from '../../storage/database.ts';

export interface DirectSummary {
  kind: 'direct';
  key: string;
  contact: ContactRecord;
  lastActivityAt: number;
  unreadCount: number;
  /** The last chat message, if any, for its text and direction. */
  lastMessage: MessageRecord | undefined;
}

export interface BroadcastSummary {
  kind: 'broadcast';
  key: string;
  broadcast: BroadcastRecord;
  lastActivityAt: number;
  unreadCount: 0;
}

// Group chats join this union, with their own summary kind, once they land.
export type ConversationSummary = DirectSummary | BroadcastSummary;

/**
 * Lists chats and broadcasts, most recent first. Requests are included, but not blocked senders
 * or the new keys of a contact whose key change waits for the user (its chat asks).
 */
export async function listConversationSummaries(db: MeshtextDatabase): Promise<ConversationSummary[]> {
  const contacts = await db.contacts.filter((contact) => contact.state !== 'blocked' && !(contact.state === 'request' && contact.rotatedFrom !== undefined)).toArray();
  const broadcasts = await db.broadcasts.toArray();

  const direct = await Promise.all(
    contacts.map(async (contact): Promise<DirectSummary> => ({
      kind: 'direct',
      key: `direct:${contact.address}`,
      contact,
      lastActivityAt: contact.lastActivityAt,
      unreadCount: contact.unreadCount,
      lastMessage: await lastChatMessage(db, contact.address),
    })),
  );
  const sent = broadcasts.map((broadcast): BroadcastSummary => ({
    kind: 'broadcast',
    key: `broadcast:${broadcast.id}`,
    broadcast,
    lastActivityAt: broadcast.createdAt,
    unreadCount: 0,
  }));

  return [...direct, ...sent].sort((a, b) => b.lastActivityAt - a.lastActivityAt);
}

async function lastChatMessage(db: MeshtextDatabase, conversation: string): Promise<MessageRecord | undefined> {
  return db.messages
    .where('[conversation+storedAt]')
    .between([conversation, Dexie.minKey], [conversation, Dexie.maxKey])
    .reverse()
    .filter((message) => message.control === undefined)
    .first();
}
