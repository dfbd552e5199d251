/**
 * CoreStorage on IndexedDB through Dexie. Writes that belong together (a message and its outbox
 * entry, an incoming message and the request contact it creates) share one transaction, so a
 * crash or a full disk leaves either both or neither.
 */

import Dexie from 'dexie';
import type { Identity } from '../core/identity.ts';
import type { SyncMark } from '../core/messages.ts';
import type {
  ContactRecord,
  CoreStorage,
  MessageRecord,
  OutgoingDraft,
  QueuedBatch,
  RetiredIdentity,
  ShownRead,
  StoreResult,
} from '../core/storage-port.ts';
import type { ReceivedSeq } from '../core/received-seqs.ts';
import { addSeqs, hasSeq, seqsByInstance, syncMarksOf } from '../core/received-seqs.ts';
import { isRevision, reviseTarget } from '../core/revisions.ts';
import { isSendingPaused } from '../core/send-pause.ts';
import type { MeshtextDatabase } from './database.ts';
import { IDENTITY_KEY, MAX_PENDING_READ_RECEIPTS } from './database.ts';
import { addReceived, listReceived } from './received-table.ts';
import { toStorageError } from './storage-errors.ts';
import { dedupeKey, findStoredKeys } from './stored-message-keys.ts';

/**
 * Newest messages of a conversation checked for unread ones when the user reads it.
 * NOTE: a late message placed further back than this is never marked read or receipted.
 */
const READ_LOOKBACK_MESSAGES = 512;

/**
 * Maximum number of receipts settled in one transaction. A flush acknowledges thousands at once,
 * and settled in one transaction they held the sender's next outbox read for 2.4 s in a probe
 * of the flush benchmark.
 */
export const STATUS_CHUNK_SIZE = 512;

export class DexieStorage implements CoreStorage {
  readonly db: MeshtextDatabase;

  constructor(db: MeshtextDatabase) {
    this.db = db;
  }

  async loadIdentity(): Promise<Identity | undefined> {
    const row = await this.db.identity.get(IDENTITY_KEY);
    if (!row) return undefined;

    const { key: _key, ...identity } = row;
    return identity;
  }

  async saveIdentity(identity: Identity): Promise<void> {
    await guard(() => this.db.identity.put({ ...identity, key: IDENTITY_KEY }));
  }

  async getContact(address: string): Promise<ContactRecord | undefined> {
    return this.db.contacts.get(address);
  }

  async listContacts(): Promise<ContactRecord[]> {
    return this.db.contacts.toArray();
  }

  async putContact(contact: ContactRecord): Promise<void> {
    await guard(() => this.db.contacts.put(contact));
  }

  async updateContact(address: string, changes: Partial<ContactRecord>): Promise<void> {
    await guard(() => this.db.contacts.update(address, changes));
  }

  async queueOutgoing(draft: OutgoingDraft): Promise<MessageRecord> {
    const { messages } = await this.queueOutgoingBatch([draft]);

    return messages[0]!;
  }

  async queueOutgoingBatch(drafts: OutgoingDraft[]): Promise<QueuedBatch> {
    const { db } = this;
    if (drafts.length === 0) return { messages: [], pausedConversations: new Set() };

    return guard(() => db.transaction('rw', [db.messages, db.outbox, db.counters, db.contacts], () => this.#queue(drafts)));
  }

  async rotateIdentity(next: Identity, retired: RetiredIdentity, drafts: OutgoingDraft[]): Promise<MessageRecord[]> {
    const { db } = this;
    const tables = [db.identity, db.retiredIdentities, db.messages, db.outbox, db.counters, db.contacts];

    return guard(() =>
      db.transaction('rw', tables, async () => {
        await db.identity.put({ ...next, key: IDENTITY_KEY });
        await db.retiredIdentities.put({ ...retired, address: retired.identity.address });
        await db.contacts.toCollection().modify((contact) => {
          delete contact.verifiedAt;
        });

        return drafts.length === 0 ? [] : (await this.#queue(drafts)).messages;
      }),
    );
  }

  async getMessage(id: string): Promise<MessageRecord | undefined> {
    return this.db.messages.get(id);
  }

  async deleteMessage(id: string): Promise<void> {
    const { db } = this;

    await guard(() =>
      db.transaction('rw', [db.messages, db.outbox], async () => {
        await db.messages.delete(id);
        await db.outbox.delete(id);
      }),
    );
  }

  async listRetiredIdentities(): Promise<RetiredIdentity[]> {
    const rows = await this.db.retiredIdentities.toArray();

    return rows.map(({ address: _address, ...retired }) => retired);
  }

  async deleteRetiredIdentity(address: string): Promise<void> {
    await guard(() => this.db.retiredIdentities.delete(address));
  }

  async mergeConversation(
    from: string,
    into: string,
    changes: { from: Partial<ContactRecord>; into: Partial<ContactRecord> },
  ): Promise<void> {
    // Loaded on first use: only accepting a key change or linking a name claim needs it.
    const { mergeConversation } = await import('./merge-conversation.ts');

    await guard(() => mergeConversation(this.db, from, into, changes));
  }

  /**
   * Queues outgoing messages in send order, with one counter read and write and one contact read
   * per conversation. Runs inside a transaction over messages, outbox, counters and contacts.
   */
  async #queue(drafts: OutgoingDraft[]): Promise<QueuedBatch> {
    const { db } = this;
    const conversations = [...new Set(drafts.map((draft) => draft.conversation))];
    const counterNames = conversations.map((conversation) => `seq:${conversation}`);
    // The reads go out together: each one awaited alone would cost a round trip to IndexedDB.
    const [counters, floorList, contacts] = await Promise.all([
      db.counters.bulkGet(counterNames),
      Promise.all(conversations.map((conversation) => this.#storedAtFloor(conversation))),
      db.contacts.bulkGet(conversations),
    ]);
    const nextSeq = new Map(conversations.map((conversation, index) => [conversation, (counters[index]?.value ?? 0) + 1]));
    const floors = new Map(conversations.map((conversation, index) => [conversation, floorList[index]!]));

    const messages = drafts.map((draft): MessageRecord => {
      const seq = nextSeq.get(draft.conversation)!;
      const storedAt = Math.max(draft.sentAt, floors.get(draft.conversation)!);
      nextSeq.set(draft.conversation, seq + 1);
      floors.set(draft.conversation, storedAt + 1);

      return { ...draft, direction: 'out', seq, storedAt, status: 'queued' };
    });

    // The writes go out together, like the reads: IndexedDB runs them in the order they were made.
    const writes: Array<Promise<unknown>> = [
      db.counters.bulkPut(conversations.map((conversation) => ({ name: `seq:${conversation}`, value: nextSeq.get(conversation)! - 1 }))),
      db.messages.bulkAdd(messages),
      db.outbox.bulkAdd(messages.map((message) => ({ messageId: message.id, conversation: message.conversation, seq: message.seq, queuedAt: message.sentAt }))),
    ];
    const pausedConversations = new Set<string>();
    for (const [index, conversation] of conversations.entries()) {
      const contact = contacts[index];
      if (isSendingPaused(contact)) pausedConversations.add(conversation);
      // A control message (a profile update, say), an edit or a deletion for everyone is no activity
      // the conversation list shows.
      const shown = drafts.filter((draft) => draft.conversation === conversation && !draft.control && !draft.revises);
      if (contact && shown.length > 0) writes.push(db.contacts.put({ ...contact, lastActivityAt: Math.max(...shown.map((draft) => draft.sentAt)) }));
    }
    await Promise.all(writes);
    // A revision reads its target, which may be a message of this very batch.
    for (const message of messages) if (message.revises) await this.#applyRevision(message, { isOwn: true });

    return { messages, pausedConversations };
  }

  async listOutbox(conversation: string, afterSeq = 0, limit = Infinity): Promise<MessageRecord[]> {
    const { db } = this;

    // One transaction for both reads: each transaction queues behind the writes begun before
    // it, so two would wait twice while a flush's receipts are being stored.
    return db.transaction('r', [db.outbox, db.messages], async () => {
      const entries = await db.outbox
        .where('[conversation+seq]')
        .between([conversation, afterSeq], [conversation, Dexie.maxKey], false, true)
        .limit(limit)
        .toArray();
      const messages = await db.messages.bulkGet(entries.map((entry) => entry.messageId));

      return messages.filter((message): message is MessageRecord => message !== undefined);
    });
  }

  async receivedMarks(conversation: string, sender: string): Promise<SyncMark[]> {
    return syncMarksOf(await listReceived(this.db.received, conversation, sender));
  }

  async recordReceived(conversation: string, sender: string, received: ReceivedSeq[]): Promise<void> {
    const { db } = this;
    if (received.length === 0) return;

    await guard(() =>
      db.transaction('rw', db.received, async () => {
        for (const [instance, seqs] of seqsByInstance(received)) await addReceived(db.received, conversation, sender, instance, seqs);
      }),
    );
  }

  async listSenderInstances(conversation: string, sender: string): Promise<string[]> {
    const instances: string[] = [];
    let after = '';

    // One key read per install: each step jumps past the install found last.
    for (;;) {
      const key = await this.db.messages
        .where('[conversation+sender+instance+seq]')
        .between([conversation, sender, after, Infinity], [conversation, sender, '\uffff', Infinity], true, true)
        .firstKey();
      if (key === undefined) return instances;

      const instance = (key as unknown as [string, string, string, number])[2];
      if (instance === after) return instances;
      instances.push(instance);
      after = instance;
    }
  }


  async listFromInstance(conversation: string, sender: string, instance: string, afterSeq: number, limit: number): Promise<MessageRecord[]> {
    return this.db.messages
      .where('[conversation+sender+instance+seq]')
      .between([conversation, sender, instance, afterSeq], [conversation, sender, instance, Dexie.maxKey], false, true)
      .limit(limit)
      .toArray();
  }

  async listOutboxConversations(): Promise<string[]> {
    const conversations: string[] = [];
    const index = this.db.outbox.where('[conversation+seq]');

    // One read per conversation, each jumping past the entries of the one before, so a long
    // outbox costs no more than a short one.
    for (let entry = await this.db.outbox.orderBy('[conversation+seq]').first(); entry; ) {
      conversations.push(entry.conversation);
      entry = await index.above([entry.conversation, Dexie.maxKey]).first();
    }

    return conversations;
  }

  async markSent(ids: string[]): Promise<void> {
    const { db } = this;

    // bulkGet and bulkPut are about twice as fast as a filtered modify() in Chromium.
    await guard(() =>
      db.transaction('rw', db.messages, async () => {
        const queued = (await db.messages.bulkGet(ids)).filter((message): message is MessageRecord => message?.status === 'queued');
        await db.messages.bulkPut(queued.map((message) => ({ ...message, status: 'sent' })));
      }),
    );
  }

  async requeue(ids: string[]): Promise<void> {
    const { db } = this;

    await guard(() =>
      db.messages
        .where('id')
        .anyOf(ids)
        .and((message) => message.status === 'sent' && message.mailboxedAt === undefined && message.carriedAt === undefined)
        .modify({ status: 'queued' }),
    );
  }

  async markMailboxed(ids: string[], at: number): Promise<void> {
    const { db } = this;

    await guard(() =>
      db.messages
        .where('id')
        .anyOf(ids)
        .modify((message) => {
          message.mailboxedAt = at;
          if (message.status === 'queued') message.status = 'sent';
        }),
    );
  }

  async markCarried(ids: string[], at: number): Promise<void> {
    const { db } = this;

    await guard(() =>
      db.messages
        .where('id')
        .anyOf(ids)
        .modify((message) => {
          message.carriedAt = at;
          if (message.status === 'queued') message.status = 'sent';
        }),
    );
  }

  async markDelivered(conversation: string, ids: string[]): Promise<void> {
    // A receipt for a resent message may come after the read receipt, so it must not lower 'read'.
    await this.#settleOutgoing(conversation, ids, 'delivered', (message) => message.status !== 'read');
  }

  async markRead(conversation: string, ids: string[]): Promise<void> {
    await this.#settleOutgoing(conversation, ids, 'read', () => true);
  }

  /**
   * Sets a final status on the own messages of `conversation` among `ids` and removes them from
   * the outbox, STATUS_CHUNK_SIZE ids to a transaction. Each chunk changes both or neither, and
   * waiting reads (the next outbox page, the chat's live query) run between the chunks.
   */
  async #settleOutgoing(conversation: string, ids: string[], status: 'delivered' | 'read', shouldSetStatus: (message: MessageRecord) => boolean): Promise<void> {
    const { db } = this;

    for (let start = 0; start < ids.length; start += STATUS_CHUNK_SIZE) {
      const chunk = ids.slice(start, start + STATUS_CHUNK_SIZE);
      await guard(() =>
        db.transaction('rw', [db.messages, db.outbox], async () => {
          const mine = (await db.messages.bulkGet(chunk)).filter(
            (message): message is MessageRecord => message?.conversation === conversation && message.direction === 'out',
          );
          const updated = mine.filter(shouldSetStatus).map((message) => ({ ...message, status }));

          await Promise.all([db.messages.bulkPut(updated), db.outbox.bulkDelete(mine.map((message) => message.id))]);
        }),
      );
    }
  }

  async markIncomingRead(conversation: string, at: number, shouldQueueReceipts: boolean): Promise<string[]> {
    const { db } = this;

    return guard(() =>
      db.transaction('rw', [db.messages, db.contacts], async () => {
        // Unread messages are the newest ones, or late ones placed a little before them, so
        // only the end of the conversation is read. One cursor advance finds where that end
        // starts and one getAll() reads it; a reverse cursor would cost a request per message.
        const byStoredAt = db.messages.where('[conversation+storedAt]');
        const oldest = await byStoredAt
          .between([conversation, Dexie.minKey], [conversation, Dexie.maxKey])
          .reverse()
          .offset(READ_LOOKBACK_MESSAGES - 1)
          .first();
        const tail = await byStoredAt.between([conversation, oldest?.storedAt ?? Dexie.minKey], [conversation, Dexie.maxKey], true, true).toArray();
        const unread = tail.filter((message) => message.direction === 'in' && message.readAt === undefined);
        const ids = unread.map((message) => message.id);
        if (ids.length > 0) await db.messages.bulkPut(unread.map((message) => ({ ...message, readAt: at })));

        const contact = await db.contacts.get(conversation);
        const receipts = shouldQueueReceipts && ids.length > 0 ? [...(contact?.pendingReadReceipts ?? []), ...ids].slice(-MAX_PENDING_READ_RECEIPTS) : undefined;
        if (contact && (contact.unreadCount !== 0 || receipts)) {
          await db.contacts.put({ ...contact, unreadCount: 0, ...(receipts && { pendingReadReceipts: receipts }) });
        }

        return ids;
      }),
    );
  }

  async removeReadReceipts(conversation: string, ids: string[]): Promise<void> {
    const { db } = this;
    const confirmed = new Set(ids);

    await guard(() =>
      db.transaction('rw', db.contacts, async () => {
        const pending = (await db.contacts.get(conversation))?.pendingReadReceipts;
        if (!pending) return;

        const left = pending.filter((id) => !confirmed.has(id));
        if (left.length < pending.length) await db.contacts.update(conversation, { pendingReadReceipts: left.length > 0 ? left : undefined });
      }),
    );
  }

  async getSetting(key: string): Promise<unknown> {
    return (await this.db.settings.get(key))?.value;
  }

  async putSetting(key: string, value: unknown): Promise<void> {
    await guard(() => this.db.settings.put({ key, value }));
  }

  async storeIncoming(messages: MessageRecord[], newContact?: ContactRecord, readOnArrival?: ShownRead): Promise<StoreResult[]> {
    const { db } = this;
    if (messages.length === 0) return [];

    return guard(() =>
      db.transaction('rw', [db.messages, db.contacts, db.received], async () => {
        const sources = [...new Set(messages.map((message) => JSON.stringify([message.conversation, message.sender, message.instance])))];
        const sourceKeys = sources.map((source) => JSON.parse(source) as [string, string, string]);
        const conversation = messages[0]!.conversation;
        // The reads go out together: each one awaited alone would cost a round trip to IndexedDB.
        const [seen, receivedRows, highestSeqs, firstFloor, contact] = await Promise.all([
          findStoredKeys(db, messages),
          db.received.bulkGet(sourceKeys),
          Promise.all(sourceKeys.map(([conversation, sender, instance]) => this.#highestStoredSeq({ conversation, sender, instance }))),
          this.#storedAtFloor(conversation),
          db.contacts.get(conversation),
        ]);
        // A seq received before counts as a duplicate even without its row: the user may have deleted it for themself.
        const received = new Map(receivedRows.filter((row) => row !== undefined).map((row) => [JSON.stringify([row.conversation, row.sender, row.instance]), row.ranges]));
        const highestSeqOf = new Map(sources.map((source, index) => [source, highestSeqs[index]!]));
        const results: StoreResult[] = [];
        const fresh: MessageRecord[] = [];

        for (const message of messages) {
          const key = dedupeKey(message);
          const ranges = received.get(JSON.stringify([message.conversation, message.sender, message.instance])) ?? [];
          if (seen.has(key) || hasSeq(ranges, message.seq)) {
            results.push('duplicate');
            continue;
          }
          seen.add(key);
          fresh.push(message);
          results.push('stored');
        }
        if (fresh.length === 0) return results;

        let floor = firstFloor;
        for (const [index, message] of fresh.entries()) {
          const source = JSON.stringify([message.conversation, message.sender, message.instance]);
          const highestSeq = highestSeqOf.get(source)!;
          highestSeqOf.set(source, Math.max(highestSeq, message.seq));

          const slot = message.seq < highestSeq ? await this.#lateSlot(message, fresh.slice(0, index)) : undefined;
          if (slot !== undefined) {
            message.storedAt = slot;
            continue;
          }
          message.storedAt = Math.max(message.storedAt, floor);
          floor = message.storedAt + 1;
        }
        // All messages belong to one conversation, and `newContact`, when given, is its contact.
        const isNewContact = newContact !== undefined && !contact;
        const visible = fresh.filter((message) => !isRevision(message));
        const read = readOnArrival ? visible.filter((message) => message.direction === 'in') : [];
        for (const message of read) message.readAt = readOnArrival!.readAt;
        const target = isNewContact ? newContact : contact;
        // A new contact is stored even when only revisions arrived; a known one changes only with visible messages.
        const contactRow = target && visible.length > 0 ? withArrivals(target, visible, read, readOnArrival?.shouldQueueReceipts === true) : isNewContact ? newContact : undefined;

        // The writes go out together, like the reads: IndexedDB runs them in the order they were made.
        const writes: Array<Promise<unknown>> = sources.flatMap((source, index) => {
          const [conversation, sender, instance] = sourceKeys[index]!;
          const seqs = fresh.filter((message) => message.conversation === conversation && message.sender === sender && message.instance === instance).map((message) => message.seq);

          return seqs.length > 0 ? [db.received.put({ conversation, sender, instance, ranges: addSeqs(received.get(source) ?? [], seqs) })] : [];
        });
        writes.push(db.messages.bulkAdd(fresh));
        if (contactRow) writes.push(db.contacts.put(contactRow));
        await Promise.all(writes);
        // A revision reads its target, which may be a message of this very batch.
        for (const revision of fresh.filter(isRevision)) await this.#applyRevision(revision, { isOwn: false });

        return results;
      }),
    );
  }

  /**
   * Applies a revision to its target inside the caller's transaction. A rejected own revision
   * throws, which aborts the transaction, because the messenger checked it before. A rejected
   * incoming one stays stored, so its resend is a duplicate, and changes nothing.
   */
  async #applyRevision(revision: MessageRecord, { isOwn }: { isOwn: boolean }): Promise<void> {
    const targetId = revision.revises?.target ?? '';
    const outcome = reviseTarget(await this.db.messages.get(targetId), revision);

    if ('changes' in outcome) {
      await this.db.messages.update(targetId, outcome.changes);
    } else if (isOwn) {
      throw new RangeError(`revision rejected: ${outcome.rejected}`);
    }
  }

  async #highestStoredSeq(message: Pick<MessageRecord, 'conversation' | 'sender' | 'instance'>): Promise<number> {
    const { conversation, sender, instance } = message;
    const highest = await this.db.messages
      .where('[conversation+sender+instance+seq]')
      .between([conversation, sender, instance, Dexie.minKey], [conversation, sender, instance, Dexie.maxKey])
      .last();

    return highest?.seq ?? 0;
  }

  /**
   * Returns the storedAt that puts a late message right before the next higher seq of its
   * sender install, halfway between that one and the message shown before it, so it takes its
   * place in display order. `placed` are the messages of the same batch placed already.
   */
  async #lateSlot(message: MessageRecord, placed: MessageRecord[]): Promise<number | undefined> {
    const { conversation, sender, instance, seq } = message;
    const later = await this.db.messages
      .where('[conversation+sender+instance+seq]')
      .between([conversation, sender, instance, seq + 1], [conversation, sender, instance, Dexie.maxKey])
      .first();
    const laterInBatch = placed.filter((other) => other.sender === sender && other.instance === instance && other.seq > seq);
    const nextStoredAt = Math.min(later?.storedAt ?? Infinity, ...laterInBatch.map((other) => other.storedAt));
    if (nextStoredAt === Infinity) return undefined;

    const before = await this.db.messages
      .where('[conversation+storedAt]')
      .between([conversation, Dexie.minKey], [conversation, nextStoredAt], true, false)
      .last();
    const previousStoredAt = Math.max(before?.storedAt ?? -Infinity, ...placed.filter((other) => other.storedAt < nextStoredAt).map((other) => other.storedAt));

    return previousStoredAt === -Infinity ? nextStoredAt - 1 : (previousStoredAt + nextStoredAt) / 2;
  }

  /** Returns the lowest storedAt that keeps display order for a new message of the conversation. */
  async #storedAtFloor(conversation: string): Promise<number> {
    const latest = await this.db.messages
      .where('[conversation+storedAt]')
      .between([conversation, Dexie.minKey], [conversation, Dexie.maxKey])
      .last();

    return latest ? latest.storedAt + 1 : Number.NEGATIVE_INFINITY;
  }
}

/**
 * Returns the contact row after `visible` messages arrived in its conversation, `read` of them
 * already read in the chat on screen, with their read receipts queued when `shouldQueueReceipts`.
 */
function withArrivals(contact: ContactRecord, visible: readonly MessageRecord[], read: readonly MessageRecord[], shouldQueueReceipts: boolean): ContactRecord {
  const lastStoredAt = Math.max(...visible.map((message) => message.storedAt));
  const broadcastTimes = visible.filter((message) => message.direction === 'in' && message.isBroadcast === true).map((message) => message.storedAt);
  const receipts = shouldQueueReceipts ? read.map((message) => message.id) : [];

  return {
    ...contact,
    unreadCount: contact.unreadCount + visible.length - read.length,
    lastActivityAt: Math.max(contact.lastActivityAt, lastStoredAt),
    ...(broadcastTimes.length > 0 && { lastBroadcastReceivedAt: Math.max(contact.lastBroadcastReceivedAt ?? 0, ...broadcastTimes) }),
    ...(receipts.length > 0 && { pendingReadReceipts: [...(contact.pendingReadReceipts ?? []), ...receipts].slice(-MAX_PENDING_READ_RECEIPTS) }),
  };
}

async function guard<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    throw toStorageError(error);
  }
}
