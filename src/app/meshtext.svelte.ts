/**
 * The composition root of the running app: opens storage, builds the core with the PeerJS
 * transport, and exposes user actions plus the few runtime facts that storage does not hold
 * (relay connection state). Components read data from storage through live queries and call
 * the actions here.
 */

import { SvelteSet } from 'svelte/reactivity';
import nacl from 'tweetnacl';
import { Messenger } from '../core/messenger.ts';
import { systemClock } from '../core/ports.ts';
import type { MeshtextDatabase } from '../storage/database.ts';
import { openDatabase } from '../storage/database.ts';
import { DexieStorage } from '../storage/dexie-storage.ts';
import { LazyPeerJsTransport } from '../transport/lazy-transport.ts';
import type { RelayStatus } from '../transport/peerjs-transport.ts';
import { createLogger } from './logger.ts';

export type AppPhase = 'loading' | 'onboarding' | 'ready' | 'storage-unavailable';

const DELIVERY_RETRY_INTERVAL_MS = 5_000;

export class Meshtext {
  phase = $state<AppPhase>('loading');
  relayStatus = $state<RelayStatus>('offline');
  /** Address of the conversation shown on screen, or undefined for the list alone. */
  openConversation = $state<string | undefined>(undefined);
  /** Contacts reachable right now: listed online by the relay or linked directly. */
  readonly reachable = new SvelteSet<string>();
  readonly db: MeshtextDatabase;
  readonly storage: DexieStorage;
  readonly messenger: Messenger;
  readonly transport: LazyPeerJsTransport;
  #retryTimer: ReturnType<typeof setInterval> | undefined;

  constructor(relayUrl: string = location.origin) {
    this.db = openDatabase();
    this.storage = new DexieStorage(this.db);
    this.transport = new LazyPeerJsTransport({
      relayUrl,
      logger: createLogger('transport'),
      onStatus: (status) => (this.relayStatus = status),
    });
    this.messenger = new Messenger({
      storage: this.storage,
      transport: this.transport,
      clock: systemClock,
      randomBytes: nacl.randomBytes,
      logger: createLogger('messenger'),
      appUrl: `${location.origin}${location.pathname}`,
      relayUrls: [relayUrl],
      onReachability: (address, isReachable) => {
        if (isReachable) this.reachable.add(address);
        else this.reachable.delete(address);
      },
    });
  }

  /** Opens storage and, when an identity exists, connects. */
  async load(): Promise<void> {
    try {
      await this.db.open();
    } catch {
      this.phase = 'storage-unavailable';
      return;
    }

    await this.#startMessenger();
  }

  /** Creates the user's identity on first run, then connects. */
  async createIdentity(displayName: string): Promise<void> {
    await this.messenger.createIdentity(displayName);
    await this.#startMessenger();
  }

  get ownAddress(): string | undefined {
    return this.messenger.identity?.address;
  }

  get ownName(): string | undefined {
    return this.messenger.identity?.displayName;
  }

  inviteLink(): string {
    return this.messenger.inviteLink();
  }

  /** Adds a contact from an invite link, opens the chat with it and returns its address. */
  async addContact(link: string): Promise<string> {
    const contact = await this.messenger.addContactFromInvite(link);
    this.openConversation = contact.address;

    return contact.address;
  }

  async sendText(conversation: string, text: string): Promise<void> {
    await this.messenger.sendText(conversation, text);
  }

  async acceptRequest(address: string): Promise<void> {
    await this.messenger.acceptRequest(address);
    await this.messenger.refreshWatchList();
  }

  async block(address: string): Promise<void> {
    await this.messenger.block(address);
    await this.messenger.refreshWatchList();
  }

  async open(address: string | undefined): Promise<void> {
    this.openConversation = address;
    if (address) await this.storage.markConversationRead(address);
  }

  async markRead(address: string): Promise<void> {
    await this.storage.markConversationRead(address);
  }

  async #startMessenger(): Promise<void> {
    const hasIdentity = await this.messenger.start();
    if (!hasIdentity) {
      this.phase = 'onboarding';
      return;
    }

    this.phase = 'ready';
    void this.transport.start(this.messenger.identity!);
    clearInterval(this.#retryTimer);
    this.#retryTimer = setInterval(() => void this.messenger.deliverAll(), DELIVERY_RETRY_INTERVAL_MS);
  }
}
