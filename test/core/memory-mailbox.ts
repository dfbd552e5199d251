import type { Mailbox, StoredEnvelope } from '../../src/core/mailbox-port.ts';
import { MailboxError } from '../../src/core/mailbox-port.ts';

/** In-memory relay mailbox shared by the test users; `clientFor` gives each user's view. */
export class MemoryMailboxServer {
  envelopes = new Map<string, StoredEnvelope[]>();
  puts = 0;
  #clients = new Map<string, MemoryMailbox>();
  #nextId = 1;

  clientFor(address: string): MemoryMailbox {
    const client = new MemoryMailbox(address, this);
    this.#clients.set(address, client);

    return client;
  }

  store(recipient: string, envelope: Uint8Array): void {
    const list = this.envelopes.get(recipient) ?? [];
    list.push({ id: `envelope-${this.#nextId++}`, envelope: envelope.slice() });
    this.envelopes.set(recipient, list);
    this.puts++;

    const client = this.#clients.get(recipient);
    if (client?.isAvailable()) queueMicrotask(() => client.notify());
  }

  /** Cuts a user's client off, as the relay does when the app closes; a new clientFor reconnects. */
  disconnect(address: string): void {
    const client = this.#clients.get(address);
    if (client) client.available = false;
  }

  count(recipient: string): number {
    return this.envelopes.get(recipient)?.length ?? 0;
  }
}

export class MemoryMailbox implements Mailbox {
  available = true;
  #handler: (() => void) | undefined;

  constructor(
    readonly address: string,
    private readonly server: MemoryMailboxServer,
  ) {}

  isAvailable(): boolean {
    return this.available;
  }

  async put(recipient: string, envelope: Uint8Array): Promise<void> {
    if (!this.available) throw new MailboxError('unavailable', 'mailbox is not connected');

    this.server.store(recipient, envelope);
  }

  async fetch(limit: number): Promise<StoredEnvelope[]> {
    return (this.server.envelopes.get(this.address) ?? []).slice(0, limit);
  }

  async delete(ids: string[]): Promise<void> {
    const remaining = (this.server.envelopes.get(this.address) ?? []).filter((stored) => !ids.includes(stored.id));
    this.server.envelopes.set(this.address, remaining);
  }

  onReady(handler: () => void): void {
    this.#handler = handler;
    if (this.available) queueMicrotask(handler);
  }

  notify(): void {
    this.#handler?.();
  }
}
