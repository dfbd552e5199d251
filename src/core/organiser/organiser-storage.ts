/**
 * What the organiser's tools (contact lists, broadcasts, profiles) need from storage, beside
 * CoreStorage. The app implements it on Dexie; tests use an in-memory fake.
 */

import type { MessageRecord, OutgoingDraft } from '../storage-port.ts';

/** A user-defined list of contacts. `joinToken` is in the list's join link; a new one revokes old links. */
export interface ContactList {
  id: string;
  name: string;
  createdAt: number;
  joinToken: string;
}

export interface ListMember {
  list: string;
  address: string;
  addedAt: number;
}

export interface BroadcastRecord {
  id: string;
  /** The template as the organiser wrote it, placeholders included. */
  template: string;
  /** Lists the recipients were taken from; empty when they were picked one by one. */
  listIds: string[];
  createdAt: number;
  recipientCount: number;
}

/**
 * What became of one planned copy. `pending` waits to be queued (a crash while queuing leaves
 * it so, and sending resumes). `queued` has a message, whose status tells the rest.
 * `not-accepted` is a message request filed in a list, which gets nothing until accepted.
 */
export type RecipientOutcome = 'pending' | 'queued' | 'opted-out' | 'blocked' | 'not-accepted';

export interface BroadcastRecipient {
  broadcast: string;
  address: string;
  /** Display name when the broadcast was made, kept for its report. */
  displayName: string;
  outcome: RecipientOutcome;
  /** The rendered copy, kept until it is queued so that sending can resume after a crash. */
  text?: string;
  /** The copy in the recipient's conversation, once queued. */
  messageId?: string;
}

/** A pending recipient with the message draft of their copy. */
export interface BroadcastCopy {
  recipient: BroadcastRecipient;
  draft: OutgoingDraft;
}

/** The user's own profile beside the display name, which the identity holds. */
export interface OwnProfile {
  status: string;
  avatar?: string;
  updatedAt: number;
}

export interface OrganiserStorage {
  putList(list: ContactList): Promise<void>;
  getList(id: string): Promise<ContactList | undefined>;
  listLists(): Promise<ContactList[]>;
  /** Deletes a list and its memberships; the contacts stay. */
  deleteList(id: string): Promise<void>;
  /** Adds contacts to a list; members already in it keep their original time. */
  addMembers(list: string, addresses: string[], at: number): Promise<void>;
  removeMember(list: string, address: string): Promise<void>;
  listMembers(list: string): Promise<ListMember[]>;

  /** Stores a broadcast and its planned recipients, all 'pending' or already excluded, in one transaction. */
  createBroadcast(broadcast: BroadcastRecord, recipients: BroadcastRecipient[]): Promise<void>;
  /** Recipients still 'pending', across all broadcasts, oldest broadcast first. */
  listPendingRecipients(): Promise<BroadcastRecipient[]>;
  /**
   * Queues copies for pending recipients as CoreStorage.queueOutgoingBatch does and marks each
   * recipient 'queued' with its message id, all in one transaction, so a crash leaves either
   * every copy with its mark or none. Returns the messages in the order of `copies`.
   */
  queueBroadcastCopies(copies: BroadcastCopy[]): Promise<MessageRecord[]>;
  setRecipientOutcome(broadcast: string, address: string, outcome: RecipientOutcome): Promise<void>;

  /**
   * Takes outgoing messages out of the outbox and marks them 'cancelled'. Messages already
   * delivered, or not outgoing, are left alone.
   */
  cancelOutgoing(ids: string[]): Promise<void>;
  /**
   * Marks broadcast copies to `conversation` that the recipient dropped unread as 'cancelled',
   * delivered ones included, and takes them out of the outbox. Other ids are left alone.
   */
  markDeclined(conversation: string, ids: string[]): Promise<void>;

  loadOwnProfile(): Promise<OwnProfile | undefined>;
  saveOwnProfile(profile: OwnProfile): Promise<void>;
}
