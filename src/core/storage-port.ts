/**
 * What the core needs from storage. The app implements it with Dexie over IndexedDB; tests use
 * an in-memory fake. Storage is the single source of truth: the UI renders only what it holds.
 */

import type { WireCard } from './card.ts';
import type { FileMeta } from './files/file-meta.ts';
import type { Identity } from './identity.ts';
import type { ReceivedSeq } from './received-seqs.ts';
import type { Revision } from './revisions.ts';
import type { SyncMark } from './messages.ts';
import type { ControlMessage } from './organiser/control-messages.ts';
import type { WireRotation } from './rotation-wire.ts';

/** `request` is an unknown sender who wrote first and has not been accepted yet. */
export type ContactState = 'contact' | 'request' | 'blocked';

export interface ContactRecord {
  address: string;
  displayName: string;
  signingPublicKey: Uint8Array;
  boxPublicKey: Uint8Array;
  card: WireCard;
  state: ContactState;
  addedAt: number;
  lastActivityAt: number;
  unreadCount: number;
  /** Time a peer with another key last responded at this address, cleared on the next good handshake. */
  wrongKeyAt?: number;
  /** Time the user confirmed that both sides show the same safety number; unset when not verified. */
  verifiedAt?: number;
  /**
   * Address of an existing contact whose display name this one's card also carries, set when a
   * message request arrives under a known name (see name-claims.ts).
   */
  claimsNameOf?: string;
  /** Last time this device saw the contact reachable, written when reachability changes. */
  lastSeenAt?: number;
  /** Status line from the contact's latest profile update. */
  status?: string;
  /** Avatar data URL from the contact's latest profile update. */
  avatar?: string;
  /** `sentAt` of the profile update applied last, so an older one arriving late is ignored. */
  profileUpdatedAt?: number;
  /** Time this contact asked to receive no more of the user's broadcasts; unset while they accept them. */
  optedOutAt?: number;
  /** `sentAt` of the contact's opt-out or opt-in applied last. */
  broadcastChoiceAt?: number;
  /** Time the user stopped this contact's broadcasts; their broadcast copies are then dropped. */
  stoppedBroadcastsAt?: number;
  /** Time the user accepted this contact as separate from the one whose name it claims. */
  nameClaimAcceptedAt?: number;
  /** The last key change this contact announced, and what the user made of it (see key-changes.ts). */
  rotation?: ContactRotation;
  /** Address whose conversation was moved into this one: the same person's previous key. */
  rotatedFrom?: string;
  /** Address this retired contact's conversation moved to; set together with state 'blocked'. */
  movedTo?: string;
  /**
   * Set when the conversation moved here from a key the user had verified: sending waits until
   * the user verifies this key too, or chooses to send without verifying.
   */
  isVerificationRequired?: boolean;
  /** Ids of this contact's messages shown to the user whose read receipts the contact has not confirmed yet. */
  pendingReadReceipts?: string[];
  /** Display time of the latest broadcast copy stored from this contact, kept after the copy is deleted. The chat then offers to stop broadcasts. */
  lastBroadcastReceivedAt?: number;
}

/** A verified rotation statement received from a contact, and the user's decision on it. */
export interface ContactRotation {
  newAddress: string;
  issuedAt: number;
  receivedAt: number;
  state: 'pending' | 'accepted' | 'rejected';
  /** True when the user had verified the old key before the statement came. */
  wasVerified: boolean;
}

/** An identity replaced by a key rotation, kept so that the handover can finish. */
export interface RetiredIdentity {
  identity: Identity;
  retiredAt: number;
  /** Time after which the retired keys may be deleted. */
  keepUntil: number;
}

/**
 * `received` is the state of every incoming message; the others belong to outgoing ones, which
 * move from queued to sent, delivered (stored by the receiver) and read (shown to the receiver).
 * `cancelled` is an outgoing message taken out of the outbox before its receipt came.
 */
export type MessageStatus = 'queued' | 'sent' | 'delivered' | 'read' | 'received' | 'cancelled';

export interface MessageRecord {
  id: string;
  /** Address of the other person in a one-to-one conversation. */
  conversation: string;
  direction: 'in' | 'out';
  sender: string;
  instance: string;
  seq: number;
  text: string;
  sentAt: number;
  /**
   * Local time the message was stored, used for display order. Storage raises it above the
   * latest one of its conversation, so order holds across restarts, tabs and a clock set back.
   */
  storedAt: number;
  status: MessageStatus;
  /** Time an outgoing message was handed to a mailbox as a sealed envelope. */
  mailboxedAt?: number;
  /** Time an incoming message was first shown in a visible chat. */
  readAt?: number;
  /** Details of an attached file; its transfer state is in the file storage (files/file-storage-port.ts). */
  file?: FileMeta;
  /** Set on an edit or deletion for everyone, which is stored and sent as a message of its own (see revisions.ts). */
  revises?: Revision;
  /** Sender's time of the latest edit applied. */
  editedAt?: number;
  /** Sender's time of the deletion for everyone; the text is then empty. */
  deletedAt?: number;
  /** Time another peer took an outgoing message to carry it to the recipient (peer-courier.ts). */
  carriedAt?: number;
  /** Set on each copy of a broadcast, sent and received, so the recipient can stop them. */
  isBroadcast?: boolean;
  /** A control message that travels through the outbox; it has no text and is never shown as chat. */
  control?: ControlMessage;
  /** Set on the message that announces a key rotation; its text is empty. */
  rotation?: WireRotation;
}

/**
 * Marking of incoming messages that arrive in the chat on screen: they get `readAt`, count as
 * no unread message and, with `shouldQueueReceipts`, join the contact's pending read receipts,
 * as markIncomingRead would do right after.
 */
export interface ShownRead {
  readAt: number;
  shouldQueueReceipts: boolean;
}

/** Messages just queued, and their conversations whose sending is paused (see send-pause.ts). */
export interface QueuedBatch {
  messages: MessageRecord[];
  pausedConversations: ReadonlySet<string>;
}

export interface OutgoingDraft {
  id: string;
  conversation: string;
  sender: string;
  instance: string;
  text: string;
  sentAt: number;
  isBroadcast?: boolean;
  control?: ControlMessage;
  file?: FileMeta;
  /** Makes the draft an edit or deletion of an own message, applied locally in the same transaction. */
  revises?: Revision;
  rotation?: WireRotation;
}

export type StoreResult = 'stored' | 'duplicate';

export interface CoreStorage {
  loadIdentity(): Promise<Identity | undefined>;
  saveIdentity(identity: Identity): Promise<void>;

  getContact(address: string): Promise<ContactRecord | undefined>;
  listContacts(): Promise<ContactRecord[]>;
  putContact(contact: ContactRecord): Promise<void>;
  updateContact(address: string, changes: Partial<ContactRecord>): Promise<void>;

  /**
   * Stores an outgoing message and its outbox entry in one transaction, giving it the next
   * sequence number of its conversation. Its storedAt is `sentAt`, raised above the latest
   * storedAt of the conversation when needed.
   */
  queueOutgoing(draft: OutgoingDraft): Promise<MessageRecord>;
  getMessage(id: string): Promise<MessageRecord | undefined>;
  /** Removes a message from this device only, with its outbox entry, so a queued one is never sent. */
  deleteMessage(id: string): Promise<void>;
  /**
   * Stores several outgoing messages as queueOutgoing does, all in one transaction and in the
   * given order, so sequence numbers follow that order. Returns the records in the same order.
   * It also returns the conversations among them whose sending waits for the user, read in the
   * same transaction, so the send that follows needs no read of its own.
   * @throws the storage error, storing none of them.
   */
  queueOutgoingBatch(drafts: OutgoingDraft[]): Promise<QueuedBatch>;
  /**
   * Outgoing messages not yet acknowledged for a conversation with seq above `afterSeq`, oldest
   * first, at most `limit` of them.
   */
  listOutbox(conversation: string, afterSeq?: number, limit?: number): Promise<MessageRecord[]>;
  /**
   * Catch-up marks of `sender`'s installs in the conversation, computed from the seqs this device
   * accepted (see received-seqs.ts and `recordReceived`), not from the rows it still stores.
   */
  receivedMarks(conversation: string, sender: string): Promise<SyncMark[]>;
  /**
   * Records seqs of `sender` as accepted without a stored chat row: an applied control message,
   * a rejected rotation statement or a dropped broadcast. `storeIncoming` records the messages
   * it handles itself, in its own transaction.
   */
  recordReceived(conversation: string, sender: string, received: ReceivedSeq[]): Promise<void>;
  /** Installs of `sender` with at least one message stored in the conversation. */
  listSenderInstances(conversation: string, sender: string): Promise<string[]>;
  /** Messages of one sender install in a conversation with seq above `afterSeq`, by seq, at most `limit`. */
  listFromInstance(conversation: string, sender: string, instance: string, afterSeq: number, limit: number): Promise<MessageRecord[]>;
  /** Conversations that have at least one message waiting in the outbox. */
  listOutboxConversations(): Promise<string[]>;
  /** Moves queued messages to sent; later states are left alone. */
  markSent(ids: string[]): Promise<void>;
  /**
   * Moves sent messages back to queued when the link they went out on died unacknowledged,
   * except those a mailbox or a carrying peer holds.
   */
  requeue(ids: string[]): Promise<void>;
  /** Records that a mailbox confirmed storing these messages, which counts as sent. */
  markMailboxed(ids: string[], at: number): Promise<void>;
  /** Records that a carrying peer confirmed storing these messages, which counts as sent. */
  markCarried(ids: string[], at: number): Promise<void>;
  /** Marks messages of a conversation delivered and removes them from the outbox. */
  markDelivered(conversation: string, ids: string[]): Promise<void>;

  /**
   * Marks outgoing messages of a conversation read, which implies delivered, and removes them
   * from the outbox. Ids of other conversations or of incoming messages are ignored.
   */
  markRead(conversation: string, ids: string[]): Promise<void>;
  /**
   * Sets readAt on the incoming messages of a conversation that have none, clears the contact's
   * unread count and returns the ids. With `shouldQueueReceipts` the ids are also added to the
   * contact's pending read receipts. All in one transaction.
   */
  markIncomingRead(conversation: string, at: number, shouldQueueReceipts: boolean): Promise<string[]>;
  /** Removes ids from a contact's pending read receipts once the contact confirmed them; unknown ids are ignored. */
  removeReadReceipts(conversation: string, ids: string[]): Promise<void>;
  /** Reads a stored user setting; undefined when it was never set. */
  getSetting(key: string): Promise<unknown>;
  putSetting(key: string, value: unknown): Promise<void>;

  /**
   * Stores incoming messages of one conversation in one transaction, skipping each one whose
   * (conversation, sender, instance, seq) is already stored or was received before (a message
   * the user deleted for themself stays deleted), and records every seq as received. In the same transaction it creates
   * `newContact` when given and counts the stored messages as unread. A stored message keeps its
   * storedAt unless that is not above the latest of its conversation, which then sets it. A late
   * message, whose sender install already has a higher seq stored, instead gets a storedAt just
   * below that message's, so it takes its place in display order.
   * A stored revision is applied to its target through `reviseTarget` and counts as no unread
   * message. With `readOnArrival`, the conversation is on screen and its new messages are
   * stored read (see ShownRead). Returns one result per message, in order.
   * @throws the storage error (quota, closed database), storing none, so the caller does not acknowledge.
   */
  storeIncoming(messages: MessageRecord[], newContact?: ContactRecord, readOnArrival?: ShownRead): Promise<StoreResult[]>;

  /**
   * Replaces the identity after a key rotation, in one transaction: stores `next`, keeps
   * `retired`, clears every contact's verifiedAt (safety numbers change with the key) and
   * queues `drafts` as queueOutgoing would.
   */
  rotateIdentity(next: Identity, retired: RetiredIdentity, drafts: OutgoingDraft[]): Promise<MessageRecord[]>;
  listRetiredIdentities(): Promise<RetiredIdentity[]>;
  deleteRetiredIdentity(address: string): Promise<void>;
  /**
   * Moves the conversation `from` into `into` in one transaction, with its messages, outbox
   * entries and sequence counter, then applies `changes` to both contacts. Incoming messages
   * also take `into` as sender, so resends from the new key de-duplicate against them. Waiting
   * messages are queued again, because a mailbox or carrier that holds them serves the old
   * address.
   * Unread counts add up.
   */
  mergeConversation(
    from: string,
    into: string,
    changes: { from: Partial<ContactRecord>; into: Partial<ContactRecord> },
  ): Promise<void>;
}
