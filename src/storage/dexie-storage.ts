/**
 * CoreStorage on IndexedDB through Dexie. Writes that belong together (a message and its outbox
 * entry, an incoming message and the request contact it creates) share one transaction, so a
 * crash or a full disk leaves either both or neither.
 */

import Dexie from 'dexie';
import type { Identity } from '../core/identity.ts';
import type {
  ContactRecord,
  CoreStorage,
  MessageRecord,
  OutgoingDraft,
  StoreResult,
} from '../core/storage-port.ts';
import { isRevision, reviseTarget } from '../core/revisions.ts';
import type { MeshtextDatabase } from './database.ts';
import { IDENTITY_KEY } from './database.ts';
import { toStorageError } from './storage-errors.ts';

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
    const { db } = this;

    return guard(() =>
      db.transaction('rw', [db.messages, db.outbox, db.counters, db.contacts], async () => {
        const counterName = `seq:${draft.conversation}`;
        const seq = ((await db.counters.get(counterName))?.value ?? 0) + 1;
        const storedAt = Math.max(draft.sentAt, await this.#storedAtFloor(draft.conversation));
        const message: MessageRecord = { ...draft, direction: 'out', seq, storedAt, status: 'queued' };

        await db.counters.put({ name: counterName, value: seq });
        if (draft.revises) await this.#applyRevision(message, { isOwn: true });
        await db.messages.add(message);
        await db.outbox.add({ messageId: message.id, conversation: draft.conversation, seq, queuedAt: draft.sentAt });
        await db.contacts.update(draft.conversation, { lastActivityAt: draft.sentAt });

        return message;
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

  async listOutbox(conversation: string, afterSeq = 0): Promise<MessageRecord[]> {
    const entries = await this.db.outbox
      .where('[conversation+seq]')
      .between([conversation, afterSeq], [conversation, Dexie.maxKey], false, true)
      .toArray();
    const messages = await this.db.messages.bulkGet(entries.map((entry) => entry.messageId));

    return messages.filter((message): message is MessageRecord => message !== undefined);
  }

  async listOutboxConversations(): Promise<string[]> {
    const keys = await this.db.outbox.orderBy('[conversation+seq]').keys();

    return [...new Set(keys.map((key) => (key as unknown as [string, number])[0]))];
  }

  async markSent(ids: string[]): Promise<void> {
    const { db } = this;

    await guard(() =>
      db.messages.where('id').anyOf(ids).and((message) => message.status === 'queued').modify({ status: 'sent' }),
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
    const { db } = this;

    await guard(() =>
      db.transaction('rw', [db.messages, db.outbox], async () => {
        const mine = (await db.messages.bulkGet(ids)).filter(
          (message): message is MessageRecord => message?.conversation === conversation && message.direction === 'out',
        );
        const mineIds = mine.map((message) => message.id);

        await db.messages.where('id').anyOf(mineIds).modify({ status: 'delivered' });
        await db.outbox.bulkDelete(mineIds);
      }),
    );
  }

  async storeIncoming(messages: MessageRecord[], newContact?: ContactRecord): Promise<StoreResult[]> {
    const { db } = this;
    if (messages.length === 0) return [];

    return guard(() =>
      db.transaction('rw', [db.messages, db.contacts], async () => {
        const keys = messages.map((message) => [message.conversation, message.sender, message.instance, message.seq]);
        const existing = await db.messages.where('[conversation+sender+instance+seq]').anyOf(keys).toArray();
        const seen = new Set(existing.map(dedupeKey));
        const results: StoreResult[] = [];
        const fresh: MessageRecord[] = [];

        for (const message of messages) {
          const key = dedupeKey(message);
          if (seen.has(key)) {
            results.push('duplicate');
            continue;
          }
          seen.add(key);
          fresh.push(message);
          results.push('stored');
        }
        if (fresh.length === 0) return results;

        let floor = await this.#storedAtFloor(fresh[0]!.conversation);
        for (const message of fresh) {
          message.storedAt = Math.max(message.storedAt, floor);
          floor = message.storedAt + 1;
        }
        if (newContact && !(await db.contacts.get(newContact.address))) await db.contacts.add(newContact);
        await db.messages.bulkAdd(fresh);
        for (const revision of fresh.filter(isRevision)) await this.#applyRevision(revision, { isOwn: false });
        const visible = fresh.filter((message) => !isRevision(message));
        if (visible.length === 0) return results;

        const lastStoredAt = Math.max(...visible.map((message) => message.storedAt));
        await db.contacts
          .where('address')
          .equals(fresh[0]!.conversation)
          .modify((contact) => {
            contact.unreadCount += visible.length;
            contact.lastActivityAt = Math.max(contact.lastActivityAt, lastStoredAt);
          });

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

  /** Returns the lowest storedAt that keeps display order for a new message of the conversation. */
  async #storedAtFloor(conversation: string): Promise<number> {
    const latest = await this.db.messages
      .where('[conversation+storedAt]')
      .between([conversation, Dexie.minKey], [conversation, Dexie.maxKey])
      .last();

    return latest ? latest.storedAt + 1 : Number.NEGATIVE_INFINITY;
  }

  /** Clears the unread count of a conversation; called when the user opens it. */
  async markConversationRead(conversation: string): Promise<void> {
    await guard(() => this.db.contacts.update(conversation, { unreadCount: 0 }));
  }
}

function dedupeKey(message: MessageRecord): string {
  return JSON.stringify([message.conversation, message.sender, message.instance, message.seq]);
}

async function guard<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    throw toStorageError(error);
  }
}
