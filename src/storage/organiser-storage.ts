/**
 * OrganiserStorage on IndexedDB through Dexie, beside DexieStorage on the same database. A
 * batch of broadcast copies is queued in the same transaction that marks their recipients queued.
 */

import Dexie from 'dexie';
import type {
  BroadcastCopy,
  BroadcastRecipient,
  BroadcastRecord,
  ContactList,
  ListMember,
  OrganiserStorage,
  OwnProfile,
  RecipientOutcome,
} from '../core/organiser/organiser-storage.ts';
import type { MessageRecord } from '../core/storage-port.ts';
import type { MeshtextDatabase } from './database.ts';
import { IDENTITY_KEY } from './database.ts';
import type { DexieStorage } from './dexie-storage.ts';
import { toStorageError } from './storage-errors.ts';

export class DexieOrganiserStorage implements OrganiserStorage {
  readonly db: MeshtextDatabase;
  readonly #core: DexieStorage;

  constructor(core: DexieStorage) {
    this.db = core.db;
    this.#core = core;
  }

  async putList(list: ContactList): Promise<void> {
    await guard(() => this.db.contactLists.put(list));
  }

  async getList(id: string): Promise<ContactList | undefined> {
    return this.db.contactLists.get(id);
  }

  async listLists(): Promise<ContactList[]> {
    return this.db.contactLists.toArray();
  }

  async deleteList(id: string): Promise<void> {
    const { db } = this;

    await guard(() =>
      db.transaction('rw', [db.contactLists, db.listMembers], async () => {
        await db.listMembers.where('[list+address]').between([id, Dexie.minKey], [id, Dexie.maxKey]).delete();
        await db.contactLists.delete(id);
      }),
    );
  }

  async addMembers(list: string, addresses: string[], at: number): Promise<void> {
    const { db } = this;

    await guard(() =>
      db.transaction('rw', [db.listMembers], async () => {
        const keys = addresses.map((address): [string, string] => [list, address]);
        const existing = await db.listMembers.bulkGet(keys);
        const added = addresses.filter((_, index) => existing[index] === undefined).map((address) => ({ list, address, addedAt: at }));
        await db.listMembers.bulkAdd(added);
      }),
    );
  }

  async removeMember(list: string, address: string): Promise<void> {
    await guard(() => this.db.listMembers.delete([list, address]));
  }

  async listMembers(list: string): Promise<ListMember[]> {
    return this.db.listMembers.where('[list+address]').between([list, Dexie.minKey], [list, Dexie.maxKey]).toArray();
  }

  async createBroadcast(broadcast: BroadcastRecord, recipients: BroadcastRecipient[]): Promise<void> {
    const { db } = this;

    await guard(() =>
      db.transaction('rw', [db.broadcasts, db.broadcastRecipients], async () => {
        await db.broadcasts.add(broadcast);
        await db.broadcastRecipients.bulkAdd(recipients);
      }),
    );
  }

  async listPendingRecipients(): Promise<BroadcastRecipient[]> {
    const pending = await this.db.broadcastRecipients.where('outcome').equals('pending').toArray();
    const broadcasts = await this.db.broadcasts.bulkGet([...new Set(pending.map((recipient) => recipient.broadcast))]);
    const createdAt = new Map(broadcasts.map((broadcast) => [broadcast?.id, broadcast?.createdAt ?? 0]));

    return pending.sort((a, b) => (createdAt.get(a.broadcast) ?? 0) - (createdAt.get(b.broadcast) ?? 0));
  }

  async queueBroadcastCopies(copies: BroadcastCopy[]): Promise<MessageRecord[]> {
    const { db } = this;
    if (copies.length === 0) return [];

    return guard(() =>
      db.transaction('rw', [db.messages, db.outbox, db.counters, db.contacts, db.broadcastRecipients], async () => {
        const { messages } = await this.#core.queueOutgoingBatch(copies.map((copy) => copy.draft));
        for (const [index, { recipient }] of copies.entries()) {
          // Dexie removes a property that an update sets to undefined.
          await db.broadcastRecipients.update([recipient.broadcast, recipient.address], { outcome: 'queued', messageId: messages[index]!.id, text: undefined });
        }

        return messages;
      }),
    );
  }

  async setRecipientOutcome(broadcast: string, address: string, outcome: RecipientOutcome): Promise<void> {
    await guard(() => this.db.broadcastRecipients.update([broadcast, address], { outcome }));
  }

  async cancelOutgoing(ids: string[]): Promise<void> {
    const { db } = this;

    await guard(() =>
      db.transaction('rw', [db.messages, db.outbox], async () => {
        const messages = await db.messages.bulkGet(ids);
        const cancelled = messages
          .filter((message): message is MessageRecord => message?.direction === 'out' && message.status !== 'delivered' && message.status !== 'read')
          .map((message) => message.id);

        await db.messages.where('id').anyOf(cancelled).modify({ status: 'cancelled' });
        await db.outbox.bulkDelete(cancelled);
      }),
    );
  }

  async markDeclined(conversation: string, ids: string[]): Promise<void> {
    const { db } = this;

    await guard(() =>
      db.transaction('rw', [db.messages, db.outbox], async () => {
        const messages = await db.messages.bulkGet(ids);
        const declined = messages
          .filter((message): message is MessageRecord => message?.conversation === conversation && message.direction === 'out' && message.isBroadcast === true)
          .map((message) => message.id);

        await db.messages.where('id').anyOf(declined).modify({ status: 'cancelled' });
        await db.outbox.bulkDelete(declined);
      }),
    );
  }

  async loadOwnProfile(): Promise<OwnProfile | undefined> {
    const row = await this.db.ownProfile.get(IDENTITY_KEY);
    if (!row) return undefined;

    const { key: _key, ...profile } = row;
    return profile;
  }

  async saveOwnProfile(profile: OwnProfile): Promise<void> {
    await guard(() => this.db.ownProfile.put({ ...profile, key: IDENTITY_KEY }));
  }
}

async function guard<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    throw toStorageError(error);
  }
}
