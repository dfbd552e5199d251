import type { Identity } from '../../src/core/identity.ts';
import { isRevision, reviseTarget } from '../../src/core/revisions.ts';
import { isSendingPaused } from '../../src/core/send-pause.ts';
import type { SyncMark } from '../../src/core/messages.ts';
import type { ReceivedSeq, ReceivedSeqs } from '../../src/core/received-seqs.ts';
import { addRanges, addSeqs, hasSeq, seqsByInstance, syncMarksOf } from '../../src/core/received-seqs.ts';
import type {
  ContactRecord,
  CoreStorage,
  MessageRecord,
  OutgoingDraft,
  QueuedBatch,
  RetiredIdentity,
  ShownRead,
  StoreResult,
} from '../../src/core/storage-port.ts';

/** In-memory CoreStorage for unit tests of the core. `failWrites` simulates a full disk. */
export class MemoryStorage implements CoreStorage {
  identity: Identity | undefined;
  contacts = new Map<string, ContactRecord>();
  messages = new Map<string, MessageRecord>();
  outbox = new Set<string>();
  /** Received records (see received-seqs.ts), keyed by JSON of [conversation, sender, instance]. */
  received = new Map<string, ReceivedSeqs>();
  retired: RetiredIdentity[] = [];
  settings = new Map<string, unknown>();
  failWrites = false;
  #sequences = new Map<string, number>();

  async loadIdentity(): Promise<Identity | undefined> {
    return this.identity;
  }

  async saveIdentity(identity: Identity): Promise<void> {
    this.#checkWritable();
    this.identity = identity;
  }

  async getContact(address: string): Promise<ContactRecord | undefined> {
    const contact = this.contacts.get(address);

    return contact && { ...contact };
  }

  async listContacts(): Promise<ContactRecord[]> {
    return [...this.contacts.values()];
  }

  async putContact(contact: ContactRecord): Promise<void> {
    this.#checkWritable();
    this.contacts.set(contact.address, { ...contact });
  }

  async updateContact(address: string, changes: Partial<ContactRecord>): Promise<void> {
    this.#checkWritable();
    const contact = this.contacts.get(address);
    if (contact) this.contacts.set(address, { ...contact, ...changes });
  }

  async queueOutgoing(draft: OutgoingDraft): Promise<MessageRecord> {
    this.#checkWritable();
    const seq = (this.#sequences.get(draft.conversation) ?? 0) + 1;
    this.#sequences.set(draft.conversation, seq);

    const storedAt = Math.max(draft.sentAt, this.#storedAtFloor(draft.conversation));
    const message: MessageRecord = { ...draft, direction: 'out', seq, storedAt, status: 'queued' };
    if (message.revises) {
      const outcome = reviseTarget(this.messages.get(message.revises.target), message);
      if ('rejected' in outcome) throw new RangeError(`revision rejected: ${outcome.rejected}`);
      this.#update(message.revises.target, outcome.changes);
    }
    this.messages.set(message.id, message);
    this.outbox.add(message.id);

    return { ...message };
  }

  async getMessage(id: string): Promise<MessageRecord | undefined> {
    const message = this.messages.get(id);

    return message && { ...message };
  }

  async deleteMessage(id: string): Promise<void> {
    this.#checkWritable();
    this.messages.delete(id);
    this.outbox.delete(id);
  }

  async queueOutgoingBatch(drafts: OutgoingDraft[]): Promise<QueuedBatch> {
    this.#checkWritable();
    const messages: MessageRecord[] = [];
    for (const draft of drafts) messages.push(await this.queueOutgoing(draft));
    const conversations = new Set(drafts.map((draft) => draft.conversation));

    return { messages, pausedConversations: new Set([...conversations].filter((address) => isSendingPaused(this.contacts.get(address)))) };
  }

  async listOutbox(conversation: string, afterSeq = 0, limit = Infinity): Promise<MessageRecord[]> {
    return [...this.outbox]
      .map((id) => this.messages.get(id))
      .filter((message): message is MessageRecord => message?.conversation === conversation && message.seq > afterSeq)
      .sort((a, b) => a.seq - b.seq)
      .slice(0, limit)
      .map((message) => ({ ...message }));
  }

  async receivedMarks(conversation: string, sender: string): Promise<SyncMark[]> {
    return syncMarksOf(this.listReceived(conversation).filter((record) => record.sender === sender));
  }

  async recordReceived(conversation: string, sender: string, received: ReceivedSeq[]): Promise<void> {
    this.#checkWritable();
    for (const [instance, seqs] of seqsByInstance(received)) this.#addReceived(conversation, sender, instance, seqs);
  }

  async listSenderInstances(conversation: string, sender: string): Promise<string[]> {
    const instances = new Set<string>();
    for (const message of this.messages.values()) {
      if (message.conversation === conversation && message.sender === sender) instances.add(message.instance);
    }

    return [...instances].sort();
  }

  /** Received records of one conversation, as the chat reads them for its gap markers. */
  listReceived(conversation: string): ReceivedSeqs[] {
    return [...this.received.values()].filter((record) => record.conversation === conversation).map((record) => ({ ...record, ranges: [...record.ranges] }));
  }

  /** Forgets every seq above `keep` received in a conversation, as restoring an older backup does. */
  forgetReceivedAbove(conversation: string, keep: number): void {
    for (const record of this.received.values()) {
      if (record.conversation !== conversation) continue;
      record.ranges = record.ranges.filter(([first]) => first <= keep).map(([first, last]) => [first, Math.min(last, keep)]);
    }
  }

  #addReceived(conversation: string, sender: string, instance: string, seqs: number[]): void {
    const key = JSON.stringify([conversation, sender, instance]);
    const ranges = this.received.get(key)?.ranges ?? [];
    this.received.set(key, { conversation, sender, instance, ranges: addSeqs(ranges, seqs) });
  }


  async listFromInstance(conversation: string, sender: string, instance: string, afterSeq: number, limit: number): Promise<MessageRecord[]> {
    return [...this.messages.values()]
      .filter((message) => message.conversation === conversation && message.sender === sender && message.instance === instance && message.seq > afterSeq)
      .sort((a, b) => a.seq - b.seq)
      .slice(0, limit)
      .map((message) => ({ ...message }));
  }

  async listOutboxConversations(): Promise<string[]> {
    return [...new Set([...this.outbox].map((id) => this.messages.get(id)?.conversation ?? ''))];
  }

  async markSent(ids: string[]): Promise<void> {
    for (const id of ids) {
      const message = this.messages.get(id);
      if (message?.status === 'queued') message.status = 'sent';
    }
  }

  async requeue(ids: string[]): Promise<void> {
    for (const id of ids) {
      const message = this.messages.get(id);
      if (message?.status === 'sent' && message.mailboxedAt === undefined && message.carriedAt === undefined) message.status = 'queued';
    }
  }

  async markMailboxed(ids: string[], at: number): Promise<void> {
    for (const id of ids) {
      const message = this.messages.get(id);
      if (!message) continue;
      message.mailboxedAt = at;
      if (message.status === 'queued') message.status = 'sent';
    }
  }

  async markCarried(ids: string[], at: number): Promise<void> {
    for (const id of ids) {
      const message = this.messages.get(id);
      if (!message) continue;
      message.carriedAt = at;
      if (message.status === 'queued') message.status = 'sent';
    }
  }

  async markDelivered(conversation: string, ids: string[]): Promise<void> {
    for (const id of ids) {
      const message = this.messages.get(id);
      if (message?.conversation !== conversation || message.direction !== 'out') continue;
      if (message.status !== 'read') message.status = 'delivered';
      this.outbox.delete(id);
    }
  }

  async markRead(conversation: string, ids: string[]): Promise<void> {
    this.#checkWritable();
    for (const id of ids) {
      const message = this.messages.get(id);
      if (message?.conversation !== conversation || message.direction !== 'out') continue;
      message.status = 'read';
      this.outbox.delete(id);
    }
  }

  async markIncomingRead(conversation: string, at: number, shouldQueueReceipts: boolean): Promise<string[]> {
    this.#checkWritable();
    const unread = this.conversation(conversation).filter((message) => message.direction === 'in' && message.readAt === undefined);
    for (const message of unread) message.readAt = at;

    const ids = unread.map((message) => message.id);
    const contact = this.contacts.get(conversation);
    if (contact) contact.unreadCount = 0;
    if (shouldQueueReceipts && contact && ids.length > 0) contact.pendingReadReceipts = [...(contact.pendingReadReceipts ?? []), ...ids];

    return ids;
  }

  async removeReadReceipts(conversation: string, ids: string[]): Promise<void> {
    this.#checkWritable();
    const contact = this.contacts.get(conversation);
    if (!contact?.pendingReadReceipts) return;

    const confirmed = new Set(ids);
    const left = contact.pendingReadReceipts.filter((id) => !confirmed.has(id));
    contact.pendingReadReceipts = left.length > 0 ? left : undefined;
  }

  async getSetting(key: string): Promise<unknown> {
    return this.settings.get(key);
  }

  async putSetting(key: string, value: unknown): Promise<void> {
    this.#checkWritable();
    this.settings.set(key, value);
  }

  async storeIncoming(messages: MessageRecord[], newContact?: ContactRecord, readOnArrival?: ShownRead): Promise<StoreResult[]> {
    this.#checkWritable();
    const results: StoreResult[] = [];

    for (const message of messages) {
      const duplicate = [...this.messages.values()].some(
        (stored) =>
          stored.conversation === message.conversation &&
          stored.sender === message.sender &&
          stored.instance === message.instance &&
          stored.seq === message.seq,
      );
      const received = this.received.get(JSON.stringify([message.conversation, message.sender, message.instance]));
      this.#addReceived(message.conversation, message.sender, message.instance, [message.seq]);
      if (duplicate || hasSeq(received?.ranges ?? [], message.seq)) {
        results.push('duplicate');
        continue;
      }

      if (newContact && !this.contacts.has(newContact.address)) this.contacts.set(newContact.address, { ...newContact });
      const storedAt = this.#lateSlot(message) ?? Math.max(message.storedAt, this.#storedAtFloor(message.conversation));
      const isReadOnArrival = readOnArrival !== undefined && message.direction === 'in' && !isRevision(message);
      this.messages.set(message.id, { ...message, storedAt, ...(isReadOnArrival && { readAt: readOnArrival.readAt }) });
      if (message.revises) {
        const outcome = reviseTarget(this.messages.get(message.revises.target), message);
        if ('changes' in outcome) this.#update(message.revises.target, outcome.changes);
      }
      const contact = this.contacts.get(message.conversation);
      if (contact && !isRevision(message)) {
        if (!isReadOnArrival) contact.unreadCount++;
        if (isReadOnArrival && readOnArrival.shouldQueueReceipts) contact.pendingReadReceipts = [...(contact.pendingReadReceipts ?? []), message.id];
        contact.lastActivityAt = storedAt;
        if (message.direction === 'in' && message.isBroadcast) contact.lastBroadcastReceivedAt = Math.max(contact.lastBroadcastReceivedAt ?? 0, storedAt);
      }
      results.push('stored');
    }

    return results;
  }

  async rotateIdentity(next: Identity, retired: RetiredIdentity, drafts: OutgoingDraft[]): Promise<MessageRecord[]> {
    this.#checkWritable();
    this.identity = next;
    this.retired.push(retired);
    for (const contact of this.contacts.values()) delete contact.verifiedAt;

    const queued: MessageRecord[] = [];
    for (const draft of drafts) queued.push(await this.queueOutgoing(draft));

    return queued;
  }

  async listRetiredIdentities(): Promise<RetiredIdentity[]> {
    return [...this.retired];
  }

  async deleteRetiredIdentity(address: string): Promise<void> {
    this.retired = this.retired.filter((retired) => retired.identity.address !== address);
  }

  async mergeConversation(
    from: string,
    into: string,
    changes: { from: Partial<ContactRecord>; into: Partial<ContactRecord> },
  ): Promise<void> {
    this.#checkWritable();
    for (const message of this.messages.values()) {
      if (message.conversation !== from) continue;
      message.conversation = into;
      if (message.direction === 'in') message.sender = into;
      if (this.outbox.has(message.id)) {
        delete message.mailboxedAt;
        delete message.carriedAt;
        if (message.status === 'sent') message.status = 'queued';
      }
    }
    this.#sequences.set(into, Math.max(this.#sequences.get(into) ?? 0, this.#sequences.get(from) ?? 0));
    for (const [key, record] of [...this.received]) {
      if (record.conversation !== from) continue;
      this.received.delete(key);
      const sender = record.sender === from ? into : record.sender;
      const intoKey = JSON.stringify([into, sender, record.instance]);
      this.received.set(intoKey, { conversation: into, sender, instance: record.instance, ranges: addRanges(this.received.get(intoKey)?.ranges ?? [], record.ranges) });
    }

    const source = this.contacts.get(from);
    const target = this.contacts.get(into);
    if (source) this.contacts.set(from, { ...source, ...changes.from, unreadCount: 0, pendingReadReceipts: undefined });
    if (target) {
      const pendingReadReceipts = [...(target.pendingReadReceipts ?? []), ...(source?.pendingReadReceipts ?? [])];
      this.contacts.set(into, {
        ...target,
        ...changes.into,
        unreadCount: target.unreadCount + (source?.unreadCount ?? 0),
        lastActivityAt: Math.max(target.lastActivityAt, source?.lastActivityAt ?? 0),
        lastBroadcastReceivedAt: Math.max(target.lastBroadcastReceivedAt ?? 0, source?.lastBroadcastReceivedAt ?? 0) || undefined,
        pendingReadReceipts: pendingReadReceipts.length > 0 ? pendingReadReceipts : undefined,
      });
    }
  }

  /** Messages of a conversation in display order. */
  conversation(address: string): MessageRecord[] {
    return [...this.messages.values()].filter((m) => m.conversation === address).sort((a, b) => a.storedAt - b.storedAt);
  }

  /** Applies changes as Dexie's update does: a key set to undefined is removed. */
  #update(id: string, changes: Partial<MessageRecord>): void {
    const message = this.messages.get(id);
    if (!message) return;

    const updated: Record<string, unknown> = { ...message, ...changes };
    for (const [key, value] of Object.entries(changes)) if (value === undefined) delete updated[key];
    this.messages.set(id, updated as unknown as MessageRecord);
  }

  /** Places a late message halfway between the next higher seq of its source and the message before that. */
  #lateSlot(message: MessageRecord): number | undefined {
    const shown = this.conversation(message.conversation);
    const next = shown.find((other) => other.sender === message.sender && other.instance === message.instance && other.seq > message.seq);
    if (!next) return undefined;

    const before = shown.filter((other) => other.storedAt < next.storedAt).at(-1);

    return before ? (before.storedAt + next.storedAt) / 2 : next.storedAt - 1;
  }

  #storedAtFloor(conversation: string): number {
    const times = this.conversation(conversation).map((message) => message.storedAt);

    return times.length > 0 ? Math.max(...times) + 1 : Number.NEGATIVE_INFINITY;
  }

  #checkWritable(): void {
    if (this.failWrites) throw new DOMException('quota exceeded', 'QuotaExceededError');
  }
}
