import type {
  BroadcastCopy,
  BroadcastRecipient,
  BroadcastRecord,
  ContactList,
  ListMember,
  OrganiserStorage,
  OwnProfile,
  RecipientOutcome,
} from '../../src/core/organiser/organiser-storage.ts';
import type { MessageRecord } from '../../src/core/storage-port.ts';
import type { MemoryStorage } from './memory-storage.ts';

/** In-memory OrganiserStorage beside a MemoryStorage, whose messages and outbox it shares. */
export class MemoryOrganiserStorage implements OrganiserStorage {
  lists = new Map<string, ContactList>();
  members: ListMember[] = [];
  broadcasts = new Map<string, BroadcastRecord>();
  recipients: BroadcastRecipient[] = [];
  profile: OwnProfile | undefined;
  readonly core: MemoryStorage;

  constructor(core: MemoryStorage) {
    this.core = core;
  }

  async putList(list: ContactList): Promise<void> {
    this.lists.set(list.id, { ...list });
  }

  async getList(id: string): Promise<ContactList | undefined> {
    const list = this.lists.get(id);

    return list && { ...list };
  }

  async listLists(): Promise<ContactList[]> {
    return [...this.lists.values()];
  }

  async deleteList(id: string): Promise<void> {
    this.lists.delete(id);
    this.members = this.members.filter((member) => member.list !== id);
  }

  async addMembers(list: string, addresses: string[], at: number): Promise<void> {
    for (const address of addresses) {
      if (!this.members.some((member) => member.list === list && member.address === address)) this.members.push({ list, address, addedAt: at });
    }
  }

  async removeMember(list: string, address: string): Promise<void> {
    this.members = this.members.filter((member) => member.list !== list || member.address !== address);
  }

  async listMembers(list: string): Promise<ListMember[]> {
    return this.members.filter((member) => member.list === list);
  }

  async createBroadcast(broadcast: BroadcastRecord, recipients: BroadcastRecipient[]): Promise<void> {
    this.broadcasts.set(broadcast.id, { ...broadcast });
    this.recipients.push(...recipients.map((recipient) => ({ ...recipient })));
  }

  async listPendingRecipients(): Promise<BroadcastRecipient[]> {
    return this.recipients.filter((recipient) => recipient.outcome === 'pending').map((recipient) => ({ ...recipient }));
  }

  async queueBroadcastCopies(copies: BroadcastCopy[]): Promise<MessageRecord[]> {
    const { messages } = await this.core.queueOutgoingBatch(copies.map((copy) => copy.draft));
    for (const [index, { recipient }] of copies.entries()) {
      const stored = this.#recipient(recipient.broadcast, recipient.address);
      if (!stored) continue;

      stored.outcome = 'queued';
      stored.messageId = messages[index]!.id;
      delete stored.text;
    }

    return messages;
  }

  async setRecipientOutcome(broadcast: string, address: string, outcome: RecipientOutcome): Promise<void> {
    const stored = this.#recipient(broadcast, address);
    if (stored) stored.outcome = outcome;
  }

  async cancelOutgoing(ids: string[]): Promise<void> {
    for (const id of ids) {
      const message = this.core.messages.get(id);
      if (!message || message.direction !== 'out' || message.status === 'delivered' || message.status === 'read') continue;
      message.status = 'cancelled';
      this.core.outbox.delete(id);
    }
  }

  async markDeclined(conversation: string, ids: string[]): Promise<void> {
    for (const id of ids) {
      const message = this.core.messages.get(id);
      if (message?.conversation !== conversation || message.direction !== 'out' || !message.isBroadcast) continue;
      message.status = 'cancelled';
      this.core.outbox.delete(id);
    }
  }

  async loadOwnProfile(): Promise<OwnProfile | undefined> {
    return this.profile && { ...this.profile };
  }

  async saveOwnProfile(profile: OwnProfile): Promise<void> {
    this.profile = { ...profile };
  }

  /** Recipients of one broadcast, in the order they were planned. */
  recipientsOf(broadcast: string): BroadcastRecipient[] {
    return this.recipients.filter((recipient) => recipient.broadcast === broadcast);
  }

  #recipient(broadcast: string, address: string): BroadcastRecipient | undefined {
    return this.recipients.find((recipient) => recipient.broadcast === broadcast && recipient.address === address);
  }
}
