/**
 * The composition root of the running app: opens storage, builds the core with the PeerJS
 * transport, and exposes user actions plus the few runtime facts that storage does not hold
 * (relay connection state). Components read data from storage through live queries and call
 * the actions here.
 */

import { liveQuery } from 'dexie';
import type { Subscription } from 'dexie';
import { SvelteSet } from 'svelte/reactivity';
import nacl from 'tweetnacl';
import type { GroupLayer } from '../core/groups/group-layer.ts';
import type { GroupRecord } from '../core/groups/group-types.ts';
import { createGroupLayer } from '../core/groups/group-layer.ts';
import { Messenger } from '../core/messenger.ts';
import { Organiser } from '../core/organiser/organiser.ts';
import { systemClock } from '../core/ports.ts';
import type { StorageFault } from '../core/storage-fault.ts';
import type { MeshtextDatabase } from '../storage/database.ts';
import { openDatabase } from '../storage/database.ts';
import { DexieCarryStore } from '../storage/dexie-carry-store.ts';
import { DexieGroupStorage } from '../storage/dexie-group-storage.ts';
import { DexieStorage } from '../storage/dexie-storage.ts';
import { DexieOrganiserStorage } from '../storage/organiser-storage.ts';
import { DexieFileStorage } from '../storage/dexie-file-storage.ts';
import { listOutboxHeads } from '../storage/outbox-heads-query.ts';
import { MAX_FILE_BYTES } from '../core/files/file-meta.ts';
import { FileTooLargeError } from '../core/transfer/transfer-errors.ts';
import { makeThumbnail } from './thumbnail.ts';
import { LazyPeerJsTransport } from '../transport/lazy-transport.ts';
import { RelayControl } from '../transport/relay-control.ts';
import { RelayMailbox } from '../transport/relay-mailbox.ts';
import { controlSocketUrl } from '../transport/relay-token.ts';
import type { RelayStatus } from '../transport/peerjs-transport.ts';
import type { ProgressCallback, RestoreSummary } from '../storage/backup-export.ts';
import type { SettingName } from '../storage/settings-store.ts';
import { AppSettings } from './app-settings.svelte.ts';
import { competeForLeadership } from './leadership.ts';
import { TypingState } from './typing-state.svelte.ts';
import { createLogger } from './logger.ts';
import { openRetiredMailbox } from './retired-mailbox.ts';

export type AppPhase = 'loading' | 'onboarding' | 'ready' | 'storage-unavailable';

const DELIVERY_RETRY_INTERVAL_MS = 5_000;

/** Hooks that only test builds pass in; see main.ts. */
export interface TestHooks {
  onSeal?(keyId: string, nonce: bigint): void;
}
const STATUS_CHANNEL_NAME = 'meshtext-status';

export class Meshtext {
  phase = $state<AppPhase>('loading');
  relayStatus = $state<RelayStatus>('offline');
  /** Address of the conversation shown on screen, or undefined for the list alone. */
  openConversation = $state<string | undefined>(undefined);
  /** Id of the group chat shown on screen; set only while openConversation is unset. */
  openGroup = $state<string | undefined>(undefined);
  /** Contacts reachable right now: listed online by the relay or linked directly. */
  readonly reachable = new SvelteSet<string>();
  /** Contacts typing right now, while the typing setting is on. */
  readonly typing = new TypingState();
  readonly settings: AppSettings;
  /** Set while incoming messages cannot be stored; they then wait with their senders. */
  storageFault = $state<StorageFault | undefined>(undefined);
  /** 'leader' in the one tab that talks to the network; other tabs show what it stores. */
  tabRole = $state<'pending' | 'leader' | 'follower'>('pending');
  readonly db: MeshtextDatabase;
  readonly storage: DexieStorage;
  readonly messenger: Messenger;
  /** Contact lists, broadcasts, opt-out, profiles and unblocking. */
  readonly organiser: Organiser;
  readonly transport: LazyPeerJsTransport;
  readonly groups: GroupLayer;
  #groupWatch: Subscription | undefined;
  /** Per group, the state last offered to members: own sequence number, log heads, key. */
  #groupFingerprints: Record<string, string> = {};
  #retryTimer: ReturnType<typeof setInterval> | undefined;
  #outboxWatch: Subscription | undefined;
  #statusChannel: BroadcastChannel | undefined;
  #ownName = $state<string | undefined>(undefined);
  readonly #relayUrl: string;
  /** Control sockets authenticated as retired addresses, to collect their mailboxes during a handover. */
  #retiredControls: RelayControl[] = [];

  constructor(relayUrl: string = location.origin, testHooks: TestHooks = {}) {
    this.#relayUrl = relayUrl;
    this.db = openDatabase();
    this.storage = new DexieStorage(this.db);
    this.settings = new AppSettings(this.db);
    const control = new RelayControl({ url: controlSocketUrl(relayUrl), logger: createLogger('relay') });
    this.transport = new LazyPeerJsTransport({
      relayUrl,
      control,
      logger: createLogger('transport'),
      onStatus: (status) => this.#setRelayStatus(status),
    });
    const appUrl = `${location.origin}${location.pathname}`;
    this.organiser = new Organiser({
      storage: this.storage,
      organiserStorage: new DexieOrganiserStorage(this.storage),
      clock: systemClock,
      randomBytes: nacl.randomBytes,
      logger: createLogger('organiser'),
      appUrl,
      relayUrls: [relayUrl],
    });
    this.messenger = new Messenger({
      storage: this.storage,
      inboxExtension: this.organiser.inbox,
      beforeDeliver: (conversation) => this.organiser.beforeDeliver(conversation),
      files: new DexieFileStorage(this.storage),
      transport: this.transport,
      mailbox: new RelayMailbox(control),
      carrying: { store: new DexieCarryStore(this.db) },
      clock: systemClock,
      randomBytes: nacl.randomBytes,
      logger: createLogger('messenger'),
      appUrl,
      relayUrls: [relayUrl],
      ...(testHooks.onSeal && { onSeal: testHooks.onSeal }),
      onStorageFault: (fault) => {
        this.storageFault = fault;
      },
      onReachability: (address, isReachable) => {
        if (isReachable === this.reachable.has(address)) return;

        if (isReachable) this.reachable.add(address);
        else this.reachable.delete(address);
        void this.storage.updateContact(address, { lastSeenAt: systemClock.now() });
      },
      onTyping: (address, isTyping) => {
        if (this.settings.current.isTypingShared) this.typing.set(address, isTyping);
      },
    });
    this.organiser.attach(this.messenger);
    this.groups = createGroupLayer({
      storage: new DexieGroupStorage(this.db),
      messenger: this.messenger,
      clock: systemClock,
      randomBytes: nacl.randomBytes,
      logger: createLogger('groups'),
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
    this.settings.watch();

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
    return this.#ownName ?? this.messenger.identity?.displayName;
  }

  /** Shows the identity's display name again after a rename, since the identity is no rune. */
  refreshOwnName(): void {
    this.#ownName = this.messenger.identity?.displayName;
  }

  inviteLink(): string {
    return this.messenger.inviteLink();
  }

  /** Adds a contact from an invite link, opens the chat with it and returns its address. */
  async addContact(link: string): Promise<string> {
    const contact = await this.messenger.addContactFromInvite(link);
    this.openConversation = contact.address;
    await this.organiser.shareProfileIfSet(contact.address);

    return contact.address;
  }

  /** Joins an organiser's list from its join link, opens the chat with them and returns their address. */
  async joinList(link: string): Promise<string> {
    const address = await this.organiser.lists.join(link);
    this.openConversation = address;
    await this.organiser.shareProfileIfSet(address);

    return address;
  }

  async sendText(conversation: string, text: string): Promise<void> {
    await this.messenger.sendText(conversation, text);
  }

  /** Stores a setting. Switching typing off also ends the indicators on screen. */
  async setSetting(name: SettingName, value: boolean): Promise<void> {
    await this.settings.set(name, value);
    if (name === 'isTypingShared' && !value) this.typing.clear();
  }

  /** Tells the contact that the user is typing or stopped, when the typing setting allows. */
  noteTyping(conversation: string, isTyping: boolean): void {
    if (this.settings.current.isTypingShared) this.messenger.sendTyping(conversation, isTyping);
  }

  /** Replaces the text of an own message; see Messenger.editMessage. */
  async editMessage(id: string, text: string): Promise<void> {
    await this.messenger.editMessage(id, text);
  }

  async deleteForEveryone(id: string): Promise<void> {
    await this.messenger.deleteForEveryone(id);
  }

  async deleteForMe(id: string): Promise<void> {
    await this.messenger.deleteForMe(id);
  }

  /**
   * Sends a file: checks the size cap, makes a thumbnail of an image, then stores the file
   * message with its bytes before anything is sent.
   * @throws FileTooLargeError over MAX_FILE_BYTES, before the file is read.
   */
  async sendFile(conversation: string, file: File): Promise<void> {
    if (file.size > MAX_FILE_BYTES) throw new FileTooLargeError(file.size, MAX_FILE_BYTES);

    const thumbnail = await makeThumbnail(file);
    await this.messenger.sendFile(conversation, { name: file.name, type: file.type, ...(thumbnail && { thumbnail }) }, file);
  }

  /** Accepts a message request; see Messenger.acceptRequest for `isNameClaimConfirmed`. */
  async acceptRequest(address: string, options: { isNameClaimConfirmed?: boolean } = {}): Promise<void> {
    await this.messenger.acceptRequest(address, options);
    await this.messenger.refreshWatchList();
    await this.organiser.shareProfileIfSet(address);
  }

  async block(address: string): Promise<void> {
    await this.messenger.block(address);
    await this.messenger.refreshWatchList();
  }

  /** Shows a one-to-one chat, or the conversation list. The chat marks itself read once on screen (ChatView). */
  async open(address: string | undefined): Promise<void> {
    this.openConversation = address;
    this.openGroup = undefined;
  }

  /** Shows a group chat and marks it read. */
  async openGroupChat(group: string): Promise<void> {
    this.openConversation = undefined;
    this.openGroup = group;
    await this.markGroupRead(group);
  }

  async markGroupRead(group: string): Promise<void> {
    await this.db.groups.update(group, { unreadCount: 0 });
  }

  /** Records whether a chat is on screen, so that messages arriving in it are stored read. */
  setConversationShown(address: string, isShown: boolean): void {
    this.messenger.setConversationShown(address, isShown);
  }

  /** Marks a chat on screen read: clears its unread count and queues read receipts, in one transaction. */
  async markRead(address: string): Promise<void> {
    await this.messenger.markConversationRead(address);
  }

  /** Switches read receipts on or off; the choice is stored. */
  async setReadReceipts(isEnabled: boolean): Promise<void> {
    await this.messenger.setReadReceiptsEnabled(isEnabled);
  }

  /** Stores whether this device carries encrypted messages between the user's contacts. */
  async setCarryForContacts(isEnabled: boolean): Promise<void> {
    await this.messenger.peerCourier?.saveCarryForContacts(isEnabled);
  }

  /** Records that the user compared safety numbers with this contact and they matched. */
  async markVerified(address: string): Promise<void> {
    await this.storage.updateContact(address, { verifiedAt: systemClock.now() });
    // Sending may have waited for this verification after a key change.
    void this.messenger.deliver(address);
  }

  /**
   * Replaces this user's keys and queues the rotation statement to every contact. This tab
   * stops talking to the network first; the caller must reload the page afterwards, which
   * registers the new address at the relay.
   */
  async rotateKeys(): Promise<void> {
    this.#disconnect();
    try {
      await this.messenger.rotateKeys();
    } catch (error) {
      // Nothing was stored, so the old identity goes back online.
      if (this.#isLeader) {
        this.tabRole = 'pending';
        await this.#lead();
      }
      throw error;
    }
  }

  /** Accepts a contact's new keys and opens the conversation at its new address. */
  async acceptKeyChange(oldAddress: string): Promise<void> {
    const newAddress = await this.messenger.acceptKeyChange(oldAddress);
    await this.open(newAddress);
  }

  async rejectKeyChange(oldAddress: string): Promise<void> {
    await this.messenger.rejectKeyChange(oldAddress);
  }

  /** Links a new identity to the contact whose name it claims, keeping one conversation. */
  async linkNameClaim(address: string): Promise<void> {
    await this.messenger.linkNameClaim(address);
  }

  async acceptNameClaim(address: string): Promise<void> {
    await this.messenger.acceptNameClaim(address);
  }

  async sendWithoutVerifying(address: string): Promise<void> {
    await this.messenger.sendWithoutVerifying(address);
  }

  /** Removes the verified mark from a contact. */
  async clearVerified(address: string): Promise<void> {
    await this.storage.updateContact(address, { verifiedAt: undefined });
  }

  /**
   * Encrypts the identity, contacts and history with `passphrase` and returns the backup file
   * text. The backup code, scrypt included, loads on first use, and scrypt runs in a Web Worker.
   */
  async exportBackup(passphrase: string, onProgress: ProgressCallback): Promise<string> {
    const { exportBackup } = await import('../storage/backup-export.ts');
    const { deriveBackupKeyInWorker } = await import('./worker-key-derivation.ts');

    return exportBackup(this.db, passphrase, {
      randomBytes: nacl.randomBytes,
      now: systemClock.now(),
      onProgress,
      deriveKey: deriveBackupKeyInWorker,
    });
  }

  /**
   * Restores a backup file. On first run the app then moves on to the main screen. With
   * `replaceExisting` the identity on this device is replaced with its contacts and messages:
   * this tab stops sending first, and the caller must reload the page afterwards.
   * @throws BackupError for a wrong passphrase, a damaged file or an identity that may not be
   *   replaced, or a storage error.
   */
  async importBackup(
    fileText: string,
    passphrase: string,
    { replaceExisting }: { replaceExisting: boolean },
    onProgress: ProgressCallback,
  ): Promise<RestoreSummary> {
    const backup = await import('../storage/backup-export.ts');
    const { deriveBackupKeyInWorker } = await import('./worker-key-derivation.ts');
    const payload = await backup.decryptBackup(
      this.db,
      fileText,
      passphrase,
      (fraction) => onProgress(fraction * 0.9),
      deriveBackupKeyInWorker,
    );

    const wasLeader = this.#isLeader;
    if (replaceExisting) this.#disconnect();

    let summary: RestoreSummary;
    try {
      summary = await backup.restoreBackup(this.db, payload, {
        randomBytes: nacl.randomBytes,
        replaceExisting,
        onProgress: (fraction) => onProgress(0.9 + fraction * 0.1),
      });
    } catch (error) {
      // The restore ran in one transaction, so nothing changed and the old identity goes back online.
      if (wasLeader && replaceExisting) {
        this.tabRole = 'pending';
        await this.#lead();
      }
      throw error;
    }
    if (this.phase === 'onboarding') await this.#startMessenger();

    return summary;
  }

  async #startMessenger(): Promise<void> {
    const hasIdentity = await this.messenger.start({ connect: false });
    if (!hasIdentity) {
      this.phase = 'onboarding';
      return;
    }

    this.phase = 'ready';
    this.#listenToLeaderStatus();
    competeForLeadership({
      onLead: () => void this.#lead(),
      onFollow: () => (this.tabRole = 'follower'),
      onResign: () => this.#follow(),
    });
  }

  async #lead(): Promise<void> {
    const identity = this.messenger.identity;
    if (!identity || this.#isLeader) return;

    this.tabRole = 'leader';
    await this.messenger.connect();
    await this.transport.start(identity);
    await this.#openRetiredMailboxes();
    void this.#followOwnRotation();
    this.#retryTimer = setInterval(() => void this.messenger.deliverAll(), DELIVERY_RETRY_INTERVAL_MS);
    void this.organiser.broadcasts.resume();
    // Other tabs write to the same outbox. The query reruns on every outbox change, and a
    // delivery round starts only when another tab added messages.
    this.#outboxWatch = liveQuery(() => listOutboxHeads(this.db)).subscribe({
      next: (heads) => void this.messenger.deliverOutboxGrowth(heads),
    });
    // Any tab may change a group: its own sequence number, log heads and key show it. The
    // leader offers changed groups to connected members and watches new members' presence.
    this.#groupWatch = liveQuery(() => this.db.groups.toArray()).subscribe({
      next: (groups) => void this.#announceChangedGroups(groups),
    });
  }

  async #announceChangedGroups(groups: GroupRecord[]): Promise<void> {
    let hasNewRoster = false;

    for (const group of groups) {
      const fingerprint = `${group.ownSeq}|${group.heads.join()}|${group.currentEpoch ?? ''}`;
      if (this.#groupFingerprints[group.id] === fingerprint) continue;

      hasNewRoster ||= this.#groupFingerprints[group.id]?.split('|')[1] !== group.heads.join();
      this.#groupFingerprints[group.id] = fingerprint;
      this.groups.sync.announce(group.id);
    }
    if (hasNewRoster) await this.messenger.refreshWatchList();
  }

  /** Collects what still arrives for the keys a rotation replaced, while they are kept. */
  /** Moves group memberships to this user's new keys after a rotation, also one cut short by a reload. */
  async #followOwnRotation(): Promise<void> {
    try {
      const retired = await this.messenger.listRetiredIdentities();
      if (retired.length > 0) await this.groups.service.followOwnRotation(retired);
    } catch (error) {
      createLogger('groups').error('moving group memberships to the new keys failed', { error: String(error) });
    }
  }

  async #openRetiredMailboxes(): Promise<void> {
    for (const retired of await this.messenger.listRetiredIdentities()) {
      const { control, mailbox } = openRetiredMailbox(this.#relayUrl, retired);
      this.#retiredControls.push(control);
      await this.messenger.attachRetiredMailbox(retired, mailbox);
    }
  }

  #follow(): void {
    this.tabRole = 'follower';
    this.#disconnect();
  }

  #disconnect(): void {
    clearInterval(this.#retryTimer);
    this.#outboxWatch?.unsubscribe();
    this.#groupWatch?.unsubscribe();
    this.messenger.stop();
    this.transport.stop();
    for (const control of this.#retiredControls.splice(0)) control.stop();
  }

  /** The leader shares its relay status so that every tab shows the same indicator. */
  #setRelayStatus(status: RelayStatus): void {
    this.relayStatus = status;
    this.#statusChannel?.postMessage(status);
  }

  get #isLeader(): boolean {
    return this.tabRole === 'leader';
  }

  #listenToLeaderStatus(): void {
    if (typeof BroadcastChannel !== 'function' || this.#statusChannel) return;

    const channel = new BroadcastChannel(STATUS_CHANNEL_NAME);
    this.#statusChannel = channel;
    channel.addEventListener('message', (event: MessageEvent<RelayStatus | 'query'>) => {
      if (event.data === 'query') {
        if (this.#isLeader) channel.postMessage(this.relayStatus);
      } else if (!this.#isLeader && ['online', 'connecting', 'offline'].includes(event.data)) {
        this.relayStatus = event.data;
      }
    });
    channel.postMessage('query');
  }
}
