/**
 * The messenger core: contacts, sending through the durable outbox, receiving with
 * de-duplication and receipts. Every user action writes to storage first and then hands the
 * message to the transport. Every incoming message is authenticated, checked and stored before
 * it is acknowledged. The UI renders storage only.
 */

import { isAddress } from './address.ts';
import { toBase64Url } from './bytes.ts';
import type { Card, WireCard } from './card.ts';
import { isCarryPayload } from './carry-payloads.ts';
import type { CarryCircle } from './carry-policy.ts';
import type { CarryQuota, CarryStore } from './carry-store-port.ts';
import { signCard } from './card.ts';
import { CatchUp, SYNC_WAIT_MS } from './catch-up.ts';
import { cardFields, cardFromContact, contactFromCard } from './contact-cards.ts';
import type { InboxResult, StoreChats } from './inbox.ts';
import { storeIncomingChats } from './inbox.ts';
import { InboundBatcher } from './inbound-batcher.ts';
import { createIdentity, normaliseDisplayName } from './identity.ts';
import type { Identity } from './identity.ts';
import { createInviteLink, parseInviteLink } from './invite.ts';
import type { KeyChanges, KeyChangeStats } from './key-changes.ts';
import { isSendingPaused } from './send-pause.ts';
import type { ChatPayload, SyncMark, WirePayload } from './messages.ts';
import { MAX_ACK_IDS, MAX_TEXT_LENGTH } from './messages.ts';
import type { Mailbox } from './mailbox-port.ts';
import { MailboxCourier } from './mailbox-courier.ts';
import { LinkTable } from './link-table.ts';
import { assertAcceptable, nameClaimFields } from './name-claims.ts';
import { OutboxFlusher } from './outbox-flusher.ts';
import type { OutboxHead } from './outbox-heads.ts';
import { OutboxHeads } from './outbox-heads.ts';
import { OutboxWriter } from './outbox-writer.ts';
import type { LinkCloseReason } from './peer-link.ts';
import { ReadReceipts } from './read-receipts.ts';
import { PeerLink } from './peer-link.ts';
import { PeerCourier } from './peer-courier.ts';
import type { Clock, Logger, RandomBytes } from './ports.ts';
import type { ContactRecord, CoreStorage, MessageRecord, ShownRead } from './storage-port.ts';
import type { StorageFault } from './storage-fault.ts';
import { classifyStorageFault } from './storage-fault.ts';
import { describeFile } from './files/describe-file.ts';
import type { FileChoice } from './files/describe-file.ts';
import type { FileBody, FileStorage } from './files/file-storage-port.ts';
import { FileTransfers } from './files/file-transfers.ts';
import type { RawChannel, Transport } from './transport-port.ts';
import type { RevisionAction } from './revisions.ts';
import { assertRevisable } from './revisions.ts';
import { skippedSeqsOf } from './skipped-seqs.ts';
import { TypingLimiter } from './typing.ts';

/** Observable counters of rejected input, for the UI and tests. */
export interface MessengerStats extends KeyChangeStats {
  rejectedHandshakes: number;
  rejectedFrames: number;
  rejectedEnvelopes: number;
  droppedFromBlocked: number;
}

/**
 * A layer riding on the messenger's links, such as groups: it receives its own payloads from
 * authenticated peers, learns when links open and peers come online, and names peers that are
 * not contacts but may be dialled and watched.
 */
export interface MessengerExtension {
  onPayload(from: Card, body: unknown): void;
  onLinkReady(address: string): void;
  onPresence(address: string, isOnline: boolean): void;
  cardFor(address: string): Promise<Card | undefined>;
  watchAddresses(): Promise<string[]>;
  /** Dials again where the layer still needs a link; `unlinked` are peers online with no link. */
  reconnect?(unlinked: string[]): Promise<void>;
}

/** Time to wait for a direct link before waiting messages go to the mailbox. */
export const DIRECT_DELIVERY_TIMEOUT_MS = 10_000;

export interface MessengerOptions {
  storage: CoreStorage;
  transport: Transport;
  clock: Clock;
  randomBytes: RandomBytes;
  logger: Logger;
  /** URL of this app, used as the base of invite links. */
  appUrl: string;
  /** Relay URLs written into invites. */
  relayUrls: string[];
  /** Called when a peer becomes reachable (relay presence or a ready link) or stops being so. */
  onReachability?(address: string, isReachable: boolean): void;
  /** Called when a peer starts or stops typing; see typing.ts. */
  onTyping?(address: string, isTyping: boolean): void;
  /** Store-and-forward mailbox used when no direct link opens in time. */
  mailbox?: Mailbox;
  /** Links kept open at once; defaults to MAX_LIVE_LINKS. */
  maxLiveLinks?: number;
  /**
   * Called with the id of a session's send key and the counter used as nonce for every data
   * frame sealed. Only test builds set it, to check that no (key, nonce) pair repeats.
   */
  onSeal?(keyId: string, nonce: bigint): void;
  /**
   * Called with the fault when incoming messages could not be stored (they are not
   * acknowledged, so their senders retry), and with undefined once a later store succeeds.
   */
  onStorageFault?(fault: StorageFault | undefined): void;
  /** Storage of attached files; without it, sendFile throws and incoming file bytes are not fetched. */
  files?: FileStorage;
  /** Store-and-forward through other peers (peer-courier.ts); off without it. */
  carrying?: { store: CarryStore; quota?: CarryQuota; replyTimeoutMs?: number };
  /** Handles control messages and broadcast copies before chat messages are stored. */
  inboxExtension?: InboxExtension;
  /** Runs before each delivery attempt to a conversation, to cancel copies that may no longer go. */
  beforeDeliver?(conversation: string): Promise<void>;
}

/**
 * Takes part in storing incoming chat payloads. `store` returns one result per payload, in
 * order, and passes the payloads it does not handle itself to `storeChats`.
 */
export interface InboxExtension {
  store(sender: Card, payloads: ChatPayload[], storeChats: StoreChats): Promise<InboxResult[]>;
}

export class Messenger {
  readonly stats: MessengerStats = {
    rejectedHandshakes: 0,
    rejectedFrames: 0,
    rejectedEnvelopes: 0,
    droppedFromBlocked: 0,
    rejectedRotations: 0,
    replayedRotations: 0,
  };
  #options: MessengerOptions;
  #identity: Identity | undefined;
  #ownCard: WireCard | undefined;
  #links: LinkTable;
  #online = new Set<string>();
  #flusher: OutboxFlusher;
  #writer: OutboxWriter;
  #readReceipts: ReadReceipts;
  #catchUp: CatchUp;
  /** Links whose peer's sync marks were applied, and the wake-up of a link waiting for them. */
  #marksApplied = new WeakSet<PeerLink>();
  #marksWaiters = new WeakMap<PeerLink, () => void>();
  /** Marks of each link whose skipped seqs are still to be sent, and links whose first flush ran. */
  #skipMarks = new WeakMap<PeerLink, SyncMark[]>();
  #flushedAfterReady = new WeakSet<PeerLink>();
  #lastStamp = 0;
  #typing = new TypingLimiter();
  /** The one-to-one chat on screen; see setConversationShown. */
  #shownConversation: string | undefined;
  #extension: MessengerExtension | undefined;
  #courier: MailboxCourier | undefined;
  /** Loaded on first use, so the rotation code stays out of the first screen's bundle. */
  #keyChangesLoading: Promise<KeyChanges> | undefined;
  #files: FileTransfers | undefined;
  #peerCourier: PeerCourier | undefined;
  #outboxHeads = new OutboxHeads();
  #deliverAllRunning: Promise<void> | undefined;
  #isDeliverAllRequested = false;
  /** First time each conversation with waiting messages had no ready link. */
  #waitingSince = new Map<string, number>();
  /** Inbound payloads of each link, handled in batches, in arrival order. */
  #inbound = new InboundBatcher(
    (link, payloads) => this.#handleBatch(link, payloads),
    (link, error) => this.#options.logger.error('handling payloads failed', { peer: link.remoteAddress.slice(0, 12), error: String(error) }),
  );

  constructor(options: MessengerOptions) {
    this.#options = options;
    this.#links = new LinkTable({ logger: options.logger, ...(options.maxLiveLinks !== undefined && { maxLiveLinks: options.maxLiveLinks }) });
    this.#flusher = new OutboxFlusher(options.storage, options.logger);
    this.#readReceipts = new ReadReceipts(options.storage, options.clock, options.logger);
    this.#catchUp = new CatchUp(
      options.storage,
      options.logger,
      () => this.#requireIdentity().address,
      () => this.#requireIdentity().instanceId,
    );
    this.#writer = new OutboxWriter(options.storage, (batch) => this.#handleWritten(batch.messages, batch.pausedConversations));
    if (options.files) this.#files = new FileTransfers({ storage: options.files, logger: options.logger });
    if (options.mailbox) {
      this.#courier = new MailboxCourier({
        mailbox: options.mailbox,
        storage: options.storage,
        clock: options.clock,
        randomBytes: options.randomBytes,
        logger: options.logger,
        host: {
          identity: () => this.#requireIdentity(),
          ownCard: () => this.#requireCard(),
          storeChat: (card, payload) => this.storeChat(card, payload),
          sendDirect: (address, payload) => this.#links.get(address)?.send(payload) ?? false,
          countRejectedEnvelope: () => this.stats.rejectedEnvelopes++,
        },
      });
      options.mailbox.onReady(() => void this.collectMailbox());
    }
    if (options.carrying) this.#peerCourier = this.#createPeerCourier(options.carrying);
  }

  /** Carrying through other peers, or undefined when the messenger was built without it. */
  get peerCourier(): PeerCourier | undefined {
    return this.#peerCourier;
  }

  /**
   * Registers peers beyond contacts, such as members of a shared group, to carry messages for
   * and to hand messages to for carrying. Does nothing when carrying is off.
   */
  registerCarryCircle(circle: CarryCircle): void {
    this.#peerCourier?.registerCircle(circle);
  }

  get identity(): Identity | undefined {
    return this.#identity;
  }

  /** Tells whether a ready link to the peer is open right now. */
  isConnected(address: string): boolean {
    return this.#links.get(address)?.isReady ?? false;
  }

  /** Connects a layer such as groups; see MessengerExtension. */
  attachExtension(extension: MessengerExtension): void {
    this.#extension = extension;
  }

  /** Sends an extension payload over a ready link; returns false when there is none. */
  sendExtensionPayload(address: string, body: unknown): boolean {
    return this.#links.get(address)?.send({ t: 'grp', body }) ?? false;
  }

  /** Dials a peer the relay lists online unless a link to it exists. */
  connectTo(address: string): void {
    if (this.#online.has(address) && !this.#links.has(address)) void this.#dial(address);
  }

  /** Tells whether the relay reports the peer online. */
  isOnline(address: string): boolean {
    return this.#online.has(address);
  }

  /** Creates and stores a new identity. */
  async createIdentity(displayName: string): Promise<Identity> {
    const identity = createIdentity(displayName, this.#options.randomBytes, this.#options.clock.now());
    await this.#options.storage.saveIdentity(identity);

    return identity;
  }

  /**
   * Loads the stored identity and, unless `connect` is false, starts listening on the transport.
   * A tab that is not the one talking to the network loads without connecting: it can still
   * write to the outbox, which the connected tab sends. Returns false when there is no identity.
   */
  async start({ connect = true }: { connect?: boolean } = {}): Promise<boolean> {
    const identity = await this.#options.storage.loadIdentity();
    if (!identity) return false;

    this.#identity = identity;
    this.#ownCard = signCard(identity);
    if (connect) await this.connect();

    return true;
  }

  /** Starts listening on the transport; call once, after start(). */
  async connect(): Promise<void> {
    this.#requireIdentity();
    this.#options.transport.attach({
      onChannel: (channel) => void this.#acceptChannel(channel),
      onPresence: (address, isOnline) => this.#handlePresence(address, isOnline),
    });
    await this.refreshWatchList();
    // The mailbox may have reported ready before the identity was loaded, when collecting was skipped.
    void this.collectMailbox();
  }

  /** Closes every link; the messenger can be started again later. */
  stop(): void {
    this.#links.closeAll();
    this.#online.clear();
  }

  /** Builds this user's invite link. */
  inviteLink(): string {
    const identity = this.#requireIdentity();

    return createInviteLink(this.#options.appUrl, this.#requireCard(), identity.address, this.#options.relayUrls);
  }

  /**
   * Adds a contact from an invite link and returns its record.
   * @throws InviteError when the link is malformed or altered; RangeError for one's own invite.
   */
  async addContactFromInvite(link: string): Promise<ContactRecord> {
    const identity = this.#requireIdentity();
    const { card } = parseInviteLink(link);
    if (card.address === identity.address) throw new RangeError('this is your own invite link');

    const { storage, clock } = this.#options;
    const existing = await storage.getContact(card.address);
    const now = clock.now();
    const contact: ContactRecord = {
      ...contactFromCard(card, now),
      ...(existing && { addedAt: existing.addedAt, lastActivityAt: existing.lastActivityAt, unreadCount: existing.unreadCount }),
      state: 'contact',
    };
    await storage.putContact(contact);
    await this.refreshWatchList();
    await this.#peerCourier?.announceAll();

    return contact;
  }

  /**
   * Turns a message request into a contact. A request that claims the name of an existing
   * contact needs `isNameClaimConfirmed`, given only after the user confirmed a second time.
   * @throws NameClaimConfirmationError when that confirmation is missing.
   */
  async acceptRequest(address: string, { isNameClaimConfirmed = false }: { isNameClaimConfirmed?: boolean } = {}): Promise<void> {
    const contact = await this.#options.storage.getContact(address);
    assertAcceptable(contact, isNameClaimConfirmed);
    await this.#options.storage.updateContact(address, {
      state: 'contact',
      ...(contact?.claimsNameOf !== undefined && { nameClaimAcceptedAt: this.#options.clock.now() }),
    });

    const link = this.#links.get(address);
    if (link?.isReady) void this.#fetchFiles(link);
    await this.#peerCourier?.announceAll();
  }

  /**
   * Changes the display name and re-signs the card that handshakes and profile updates carry.
   * @throws RangeError when the name is empty or too long.
   */
  async changeDisplayName(displayName: string): Promise<Identity> {
    const renamed = { ...this.#requireIdentity(), displayName: normaliseDisplayName(displayName) };
    await this.#options.storage.saveIdentity(renamed);
    this.#identity = renamed;
    this.#ownCard = signCard(renamed);

    return renamed;
  }

  /** Returns the user's current signed card. */
  ownCard(): WireCard {
    return this.#requireCard();
  }

  /**
   * Replaces this user's keys and queues the rotation statement to every contact; see
   * rotateOwnKeys. Links close, and the caller registers the new address at the relay (the app
   * reloads).
   */
  async rotateKeys(): Promise<Identity> {
    const { rotateOwnKeys } = await import('./own-key-rotation.ts');
    const next = await rotateOwnKeys(this.#options, this.#requireIdentity(), () => this.#stamp());
    this.stop();
    this.#identity = next;
    this.#ownCard = signCard(next);

    return next;
  }

  /**
   * Returns the identities replaced by a key rotation whose keep time has not run out, and
   * deletes the others.
   */
  async listRetiredIdentities(): Promise<Identity[]> {
    const { keptRetiredIdentities } = await import('./own-key-rotation.ts');

    return keptRetiredIdentities(this.#options);
  }

  /**
   * Collects, with a retired identity's keys, the envelopes still sent to its address whenever
   * `mailbox` is ready; see retiredMailboxCourier.
   */
  async attachRetiredMailbox(retired: Identity, mailbox: Mailbox): Promise<void> {
    const { retiredMailboxCourier } = await import('./own-key-rotation.ts');
    const courier = retiredMailboxCourier(this.#options, retired, mailbox, {
      storeChat: (sender, payload) => this.storeChat(sender, payload),
      countRejectedEnvelope: () => this.stats.rejectedEnvelopes++,
    });

    mailbox.onReady(() => {
      courier.collect().catch((error: unknown) => {
        this.#options.logger.warn('collecting the retired mailbox failed', { address: retired.address.slice(0, 12), error: String(error) });
      });
    });
  }

  /**
   * Accepts a contact's pending key change; see KeyChanges.accept. Returns the new address.
   * @throws KeyChangeStateError when none is pending.
   */
  async acceptKeyChange(oldAddress: string): Promise<string> {
    const newAddress = await (await this.#keyChanges()).accept(oldAddress);
    this.#links.closeTo(oldAddress);
    await this.refreshWatchList();
    await this.#peerCourier?.announceAll();
    void this.deliver(newAddress);

    return newAddress;
  }

  /**
   * Rejects a contact's pending key change; see KeyChanges.reject.
   * @throws KeyChangeStateError when none is pending.
   */
  async rejectKeyChange(oldAddress: string): Promise<void> {
    const newAddress = (await this.#options.storage.getContact(oldAddress))?.rotation?.newAddress;
    await (await this.#keyChanges()).reject(oldAddress);
    if (newAddress) this.#links.closeTo(newAddress);
    await this.refreshWatchList();
    void this.deliver(oldAddress);
  }

  /**
   * Links a contact that claims another contact's name to that contact; see
   * KeyChanges.linkNameClaim. Returns the retired address.
   */
  async linkNameClaim(address: string): Promise<string> {
    const retired = await (await this.#keyChanges()).linkNameClaim(address);
    this.#links.closeTo(retired);
    await this.refreshWatchList();
    await this.#peerCourier?.announceAll();
    void this.deliver(address);

    return retired;
  }

  /** Resumes sending to a contact that waits for verification after a key change; see KeyChanges. */
  async sendWithoutVerifying(address: string): Promise<void> {
    await (await this.#keyChanges()).sendWithoutVerifying(address);
    void this.deliver(address);
  }

  /** Accepts a contact that claims another contact's name as a separate identity, which resumes sending. */
  async acceptNameClaim(address: string): Promise<void> {
    await (await this.#keyChanges()).acceptNameClaim(address);
    void this.deliver(address);
  }

  /** Blocks a contact or request: its links close and its frames are dropped before storage. */
  async block(address: string): Promise<void> {
    await this.#options.storage.updateContact(address, { state: 'blocked' });
    this.#links.closeTo(address);
  }

  /**
   * Writes a message to the outbox, then tries to deliver it.
   * @throws RangeError when the text is empty or too long.
   */
  async sendText(conversation: string, text: string): Promise<MessageRecord> {
    const identity = this.#requireIdentity();
    const trimmed = text.trim();
    if (trimmed.length === 0) throw new RangeError('message is empty');
    if (trimmed.length > MAX_TEXT_LENGTH) throw new RangeError(`message is longer than ${MAX_TEXT_LENGTH} characters`);
    if (!isAddress(conversation)) throw new RangeError('conversation is not a valid address');

    return this.#writer.write({
      id: toBase64Url(this.#options.randomBytes(16)),
      conversation,
      sender: identity.address,
      instance: identity.instanceId,
      text: trimmed,
      sentAt: this.#stamp(),
    });
  }

  /**
   * Records whether a one-to-one chat is on screen. Messages that arrive in the chat on screen are
   * stored read, in the transaction that stores them, and their read receipts go out at once when
   * they are on. Hiding a chat that is no longer the one on screen changes nothing.
   */
  setConversationShown(conversation: string, isShown: boolean): void {
    if (isShown) this.#shownConversation = conversation;
    else if (this.#shownConversation === conversation) this.#shownConversation = undefined;
  }

  async #shownRead(): Promise<ShownRead> {
    return { readAt: this.#options.clock.now(), shouldQueueReceipts: await this.#readReceipts.isEnabled() };
  }

  /** Records that the user sees the conversation and sends read receipts when they are on. */
  async markConversationRead(conversation: string): Promise<void> {
    await this.#readReceipts.markShown(conversation);

    const link = this.#links.get(conversation);
    if (link?.isReady) await this.#readReceipts.sendPending(link);
  }

  /** Tells whether read receipts go out when the user reads a chat. On unless switched off. */
  areReadReceiptsEnabled(): Promise<boolean> {
    return this.#readReceipts.isEnabled();
  }

  async setReadReceiptsEnabled(isEnabled: boolean): Promise<void> {
    await this.#readReceipts.setEnabled(isEnabled);
  }

  /**
   * Hands a committed batch of outgoing messages to the links of their conversations.
   * `pausedConversations`, when the write read it, saves the flusher a contact read.
   */
  #handleWritten(messages: MessageRecord[], pausedConversations?: ReadonlySet<string>): void {
    const byConversation = new Map<string, MessageRecord[]>();
    for (const message of messages) {
      this.#outboxHeads.noteHandled(message.conversation, message.seq);
      const list = byConversation.get(message.conversation) ?? [];
      list.push(message);
      byConversation.set(message.conversation, list);
    }

    for (const [conversation, written] of byConversation) {
      const link = this.#links.get(conversation);
      // The new messages may follow seqs cancelled while the link was open; see skipped-seqs.ts.
      const isPaused = pausedConversations?.has(conversation);
      if (link?.isReady) void this.#flusher.sendQueued(link, written, isPaused).then(() => this.#catchUp.sendSkippedSince(link));
      else void this.deliver(conversation);
    }
  }

  /**
   * Replaces the text of an own message, here at once and at the peer through the outbox.
   * @throws RangeError when the text is empty or too long, or the message is not an own,
   *   undeleted text message.
   */
  async editMessage(id: string, text: string): Promise<void> {
    const trimmed = text.trim();
    if (trimmed.length === 0) throw new RangeError('message is empty');
    if (trimmed.length > MAX_TEXT_LENGTH) throw new RangeError(`message is longer than ${MAX_TEXT_LENGTH} characters`);

    await this.#revise(id, 'edit', trimmed);
  }

  /**
   * Deletes an own message for everyone: its text is removed here at once and at the peer
   * through the outbox.
   * @throws RangeError when the message is not an own, undeleted one.
   */
  async deleteForEveryone(id: string): Promise<void> {
    await this.#revise(id, 'delete', '');
  }

  /**
   * Tells a peer that the user is typing, or stopped, when a ready link is open and the rate
   * limit allows. Nothing is queued: without a link the signal is dropped.
   */
  sendTyping(conversation: string, isTyping: boolean): void {
    const link = this.#links.get(conversation);
    if (!link?.isReady) return;

    if (this.#typing.shouldSend(conversation, isTyping, this.#options.clock.now())) link.send({ t: 'typing', isTyping });
  }

  /** Deletes a message from this device only; a queued own message is then never sent. */
  async deleteForMe(id: string): Promise<void> {
    await this.#options.storage.deleteMessage(id);
  }

  async #revise(id: string, action: RevisionAction, text: string): Promise<void> {
    const identity = this.#requireIdentity();
    const target = assertRevisable(await this.#options.storage.getMessage(id), identity.address);
    if (action === 'edit' && target.file) throw new RangeError('a file message cannot be edited');

    const revision = await this.#options.storage.queueOutgoing({
      id: toBase64Url(this.#options.randomBytes(16)),
      conversation: target.conversation,
      sender: identity.address,
      instance: identity.instanceId,
      text,
      sentAt: this.#stamp(),
      revises: { action, target: id },
    });
    // Not through the outbox writer: a rejected revision aborts its transaction, which must not take other sends with it.
    this.#handleWritten([revision]);
  }

  /**
   * Stores a file message, its outbox entry and the file's bytes, then tries to deliver the
   * message. The bytes follow when the receiver requests them over a direct link.
   * @throws FileTooLargeError over MAX_FILE_BYTES and RangeError for an empty file, both before
   *   the file is read; Error when the messenger has no file storage.
   */
  async sendFile(conversation: string, choice: FileChoice, body: FileBody): Promise<MessageRecord> {
    const identity = this.#requireIdentity();
    const files = this.#options.files;
    if (!files) throw new Error('messenger has no file storage');
    if (!isAddress(conversation)) throw new RangeError('conversation is not a valid address');

    const file = await describeFile(choice, body);
    const message = await files.queueOutgoingFile(
      {
        id: toBase64Url(this.#options.randomBytes(16)),
        conversation,
        sender: identity.address,
        instance: identity.instanceId,
        text: file.name,
        sentAt: this.#stamp(),
        file,
      },
      body,
    );
    void this.deliver(conversation);

    return message;
  }

  /**
   * Sends what waits in the outbox for a peer: over a ready link, else by dialling it when the
   * relay reports it online, and through the mailbox once no link has opened for
   * DIRECT_DELIVERY_TIMEOUT_MS.
   */
  async deliver(conversation: string): Promise<void> {
    if (isSendingPaused(await this.#options.storage.getContact(conversation))) return;

    await this.#options.beforeDeliver?.(conversation);
    const link = this.#links.get(conversation);

    if (link?.isReady) {
      this.#waitingSince.delete(conversation);
      await this.#flusher.flush(link);
      await this.#catchUp.sendSkippedSince(link);
      return;
    }

    const now = this.#options.clock.now();
    const since = this.#waitingSince.get(conversation) ?? now;
    this.#waitingSince.set(conversation, since);

    if (!link && this.#online.has(conversation)) await this.#dial(conversation);
    if (now - since < DIRECT_DELIVERY_TIMEOUT_MS) return;

    // Carriers get the first chance; the mailbox takes what none of them holds.
    await this.#peerCourier?.handOver(conversation);
    const isMailboxDue = (await this.#peerCourier?.isMailboxDue(conversation)) ?? true;
    if (this.#courier?.isAvailable && isMailboxDue) await this.#courier.sendWaiting(conversation);
  }

  /** Collects envelopes waiting in the mailbox; the mailbox adapter calls this when it is ready. */
  async collectMailbox(): Promise<void> {
    if (!this.#identity || !this.#courier?.isAvailable) return;

    try {
      await this.#courier.collect();
    } catch (error) {
      this.#options.logger.warn('collecting the mailbox failed', { error: String(error) });
    }
  }

  /**
   * Starts a delivery round when the outbox contains messages that another tab wrote after this
   * messenger's own; see OutboxHeads. The connected tab calls it whenever the outbox changes.
   */
  deliverOutboxGrowth(heads: OutboxHead[]): Promise<void> {
    return this.#outboxHeads.takeUnhandled(heads) ? this.deliverAll() : Promise.resolve();
  }

  /**
   * Sends every conversation with waiting messages on its way; the app calls this on a timer.
   * Calls made during a round share one more round after it.
   */
  deliverAll(): Promise<void> {
    this.#isDeliverAllRequested = true;
    this.#deliverAllRunning ??= this.#runDeliverAllRounds();

    return this.#deliverAllRunning;
  }

  async #runDeliverAllRounds(): Promise<void> {
    try {
      while (this.#isDeliverAllRequested) {
        this.#isDeliverAllRequested = false;
        await this.#deliverAllOnce();
      }
    } finally {
      this.#deliverAllRunning = undefined;
    }
  }

  async #deliverAllOnce(): Promise<void> {
    const conversations = await this.#options.storage.listOutboxConversations();
    for (const waiting of this.#waitingSince.keys()) {
      if (!conversations.includes(waiting)) this.#waitingSince.delete(waiting);
    }

    await Promise.all(conversations.map((conversation) => this.deliver(conversation)));

    // Also picks up files announced through the mailbox while a link was open, and transfers
    // that stopped when a part could not be stored.
    for (const link of this.#links.values()) {
      if (link.isReady) void this.#fetchFiles(link);
    }
    const unlinked = [...this.#online].filter((address) => !this.#links.has(address));
    await this.#dialForFiles(unlinked);
    await this.#peerCourier?.dialRecipients(unlinked);
    await this.#extension?.reconnect?.(unlinked);
    await this.#peerCourier?.maintain();
  }

  /** Tells the transport which contacts to report presence for. */
  async refreshWatchList(): Promise<void> {
    const contacts = await this.#options.storage.listContacts();
    const watched = contacts.filter((contact) => contact.state !== 'blocked').map((contact) => contact.address);
    const blocked = new Set(contacts.filter((contact) => contact.state === 'blocked').map((contact) => contact.address));
    const extra = ((await this.#extension?.watchAddresses()) ?? []).filter((address) => !blocked.has(address));

    this.#options.transport.watch([...new Set([...watched, ...extra])]);
  }

  async #dial(address: string): Promise<void> {
    const contact = await this.#options.storage.getContact(address);
    if (contact?.state === 'blocked' || this.#links.has(address)) return;
    if (!contact && !(await this.#extension?.cardFor(address))) return;
    if (!this.#links.makeRoom()) return;

    this.#options.logger.debug('dialling', { peer: address.slice(0, 12) });
    this.#options.transport.dial(address);
  }

  async #acceptChannel(channel: RawChannel): Promise<void> {
    const { storage, logger } = this.#options;
    const address = channel.remoteAddress;
    const contact = await storage.getContact(address);

    if (contact?.state === 'blocked') {
      this.stats.droppedFromBlocked++;
      logger.info('channel from blocked peer closed', { peer: address.slice(0, 12) });
      channel.close();
      return;
    }
    const extensionCard = !contact && channel.isInitiator ? await this.#extension?.cardFor(address) : undefined;
    if (channel.isInitiator && !contact && !extensionCard) {
      channel.close();
      return;
    }
    const place = this.#links.place(channel, this.#requireIdentity().address);
    if (place === 'drop' || (place === 'link' && !this.#links.makeRoom())) {
      channel.close();
      return;
    }

    const link = new PeerLink({
      channel,
      context: { identity: this.#requireIdentity(), ownCard: this.#requireCard(), randomBytes: this.#options.randomBytes },
      knownCard: contact ? cardFromContact(contact) : extensionCard,
      clock: this.#options.clock,
      logger,
      ...(this.#options.onSeal && { onSeal: this.#options.onSeal }),
      events: {
        onReady: (ready) =>
          void this.#handleReady(ready).catch((error: unknown) =>
            logger.error('preparing a ready link failed', { peer: ready.remoteAddress.slice(0, 12), error: String(error) }),
          ),
        onPayload: (from, payload) => {
          if (payload.t === 'file-part' || payload.t === 'file-want') this.#files?.handle(from, payload);
          else if (isCarryPayload(payload)) this.#peerCourier?.handlePayload(from, payload);
          else {
            // A receipt cancels the pending 'sent' write now, not after the batches before it.
            if (payload.t === 'ack') this.#flusher.acknowledged(payload.ids);
            this.#inbound.push(from, payload);
          }
        },
        onClosed: (closed, reason) => this.#handleClosed(closed, reason),
        onRejectedPayload: () => this.stats.rejectedFrames++,
      },
    });
    this.#links.add(link, place);
    link.start();
  }

  async #handleReady(link: PeerLink): Promise<void> {
    const { storage, logger } = this.#options;
    this.#links.promote(link);
    // Nothing leaves the outbox until the peer said what it holds (see catch-up.ts).
    this.#flusher.hold(link);
    const marksApplied = this.#marksApplied.has(link)
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          this.#marksWaiters.set(link, resolve);
          setTimeout(resolve, SYNC_WAIT_MS);
        });
    const card = link.remoteCard;
    logger.info('link ready', { peer: link.remoteAddress.slice(0, 12), initiator: link.channel.isInitiator });

    if (card) {
      const contact = await storage.getContact(card.address);
      if (contact && contact.card.signature !== card.wire.signature) {
        // A new card may carry a new name, which may now claim another contact's.
        const claim = await nameClaimFields(storage, card);
        // The same person's previous key carries the same name, which is no claim.
        const isLinked = claim.claimsNameOf !== undefined && claim.claimsNameOf === contact.rotatedFrom;
        const isNewClaim = !isLinked && claim.claimsNameOf !== contact.claimsNameOf;
        await storage.updateContact(card.address, {
          ...cardFields(card),
          ...(!isLinked && claim),
          ...(isNewClaim && { nameClaimAcceptedAt: undefined }),
          wrongKeyAt: undefined,
        });
      } else if (contact?.wrongKeyAt) {
        await storage.updateContact(card.address, { wrongKeyAt: undefined });
      }
    }
    this.#reportReachability(link.remoteAddress);
    await this.#options.beforeDeliver?.(link.remoteAddress);
    void this.#fetchFiles(link);
    this.#extension?.onLinkReady(link.remoteAddress);
    await this.#catchUp.sendMarks(link);
    await marksApplied;
    await this.#flusher.release(link);
    await this.#flusher.flush(link);
    this.#flushedAfterReady.add(link);
    this.#sendSkippedAfterMarks(link);
    await this.#readReceipts.sendPending(link);
    await this.#peerCourier?.linkReady(link);
  }

  /**
   * Sends the skipped seqs for the peer's marks once, after the link's first flush: the walk
   * reads every own message above the marks, and its reads would otherwise delay the flush's.
   * Not awaited, so the receipts coming in are not held up behind it either.
   */
  #sendSkippedAfterMarks(link: PeerLink): void {
    const marks = this.#skipMarks.get(link);
    if (!marks || link.isClosed) return;

    this.#skipMarks.delete(link);
    void this.#catchUp.sendSkippedAfterMarks(link, marks).catch((error: unknown) => {
      this.#options.logger.warn('sending skipped seqs failed', { peer: link.remoteAddress.slice(0, 12), error: String(error) });
    });
  }

  #handleClosed(link: PeerLink, reason: LinkCloseReason): void {
    const address = link.remoteAddress;
    this.#links.remove(link);
    this.#reportReachability(address);
    if (!this.#links.has(address)) {
      this.#typing.forget(address);
      this.#options.onTyping?.(address, false);
    }

    void this.#flusher.linkClosed(link);

    if (reason === 'handshake-failed') {
      this.stats.rejectedHandshakes++;
      if (link.channel.isInitiator) {
        void this.#options.storage.updateContact(address, { wrongKeyAt: this.#options.clock.now() });
      }
    }
    if (reason === 'bad-frame') this.stats.rejectedFrames++;
  }

  #handlePresence(address: string, isOnline: boolean): void {
    if (!isOnline) {
      this.#online.delete(address);
      this.#links.get(address)?.probe();
      this.#reportReachability(address);
      return;
    }

    this.#online.add(address);
    this.#reportReachability(address);
    this.#extension?.onPresence(address, true);
    void this.deliver(address);
  }

  /** A peer is reachable while the relay lists it or a ready link to it is open. */
  #reportReachability(address: string): void {
    this.#options.onReachability?.(address, this.#online.has(address) || this.isConnected(address));
  }

  /** Returns the current time, strictly later than the last stamp, so display order is total. */
  #stamp(): number {
    this.#lastStamp = Math.max(this.#options.clock.now(), this.#lastStamp + 1);

    return this.#lastStamp;
  }

  /** Handles a batch of payloads from one link: stores chats together, then sends one receipt. */
  async #handleBatch(link: PeerLink, payloads: WirePayload[]): Promise<void> {
    const chats = payloads.filter((payload): payload is ChatPayload => payload.t === 'msg');
    const acked = payloads.flatMap((payload) => (payload.t === 'ack' ? payload.ids : []));
    const read = payloads.flatMap((payload) => (payload.t === 'read' ? payload.ids : []));
    const readConfirmed = payloads.flatMap((payload) => (payload.t === 'read-ack' ? payload.ids : []));
    const card = link.remoteCard;
    this.#passTyping(link.remoteAddress, payloads, chats.length > 0);

    if (card && this.#extension) {
      for (const payload of payloads) if (payload.t === 'grp') this.#extension.onPayload(card, payload.body);
    }
    if (chats.length > 0 && card) {
      const results = await this.#storeChats(card, chats);
      const ids = chats.filter((_, index) => results[index] !== 'blocked' && results[index] !== 'failed').map((chat) => chat.id);
      for (let start = 0; start < ids.length; start += MAX_ACK_IDS) {
        link.send({ t: 'ack', ids: ids.slice(start, start + MAX_ACK_IDS) });
      }
      // The sender writes a message to a link only once, so it retries unacknowledged ones on
      // its next link. Closing this one makes that happen when the next delivery round dials.
      if (results.includes('failed')) {
        link.close('closed');
        return;
      }
      // Messages stored read because their chat is on screen queued their receipts already.
      if (this.#shownConversation === link.remoteAddress && results.includes('stored')) void this.#readReceipts.sendPending(link);
    }
    if (acked.length > 0) {
      this.#flusher.acknowledged(acked);
      await this.#options.storage.markDelivered(link.remoteAddress, acked);
    }
    if (read.length > 0) {
      this.#flusher.acknowledged(read);
      await this.#readReceipts.applyRead(link, read);
    }
    if (readConfirmed.length > 0) await this.#readReceipts.confirm(link, readConfirmed);
    const skipped = payloads.flatMap((payload) => (payload.t === 'skip' ? skippedSeqsOf(payload) : []));
    if (skipped.length > 0) await this.#options.storage.recordReceived(link.remoteAddress, link.remoteAddress, skipped);
    for (const payload of payloads) {
      if (payload.t !== 'sync' || this.#marksApplied.has(link)) continue;

      this.#marksApplied.add(link);
      try {
        await this.#catchUp.applyMarks(link, payload.marks);
      } finally {
        this.#marksWaiters.get(link)?.();
      }
      this.#skipMarks.set(link, payload.marks);
      if (this.#flushedAfterReady.has(link)) this.#sendSkippedAfterMarks(link);
    }
    if (chats.some((chat) => chat.file)) void this.#fetchFiles(link);
  }

  /**
   * Asks the link's peer for the missing parts of its files, but only once the user accepted it:
   * a message request announces a file without making this device download it.
   */
  async #fetchFiles(link: PeerLink): Promise<void> {
    if (!this.#files) return;

    const contact = await this.#options.storage.getContact(link.remoteAddress);
    if (contact?.state === 'contact') await this.#files.resume(link);
  }

  /**
   * Dials the contacts among `addresses` whose files this device is still receiving, because no
   * outbox entry makes a delivery round dial them after a transfer's link dropped.
   */
  async #dialForFiles(addresses: string[]): Promise<void> {
    const files = this.#options.files;
    if (!files) return;

    for (const address of addresses) {
      const contact = await this.#options.storage.getContact(address);
      if (contact?.state === 'contact' && (await files.listReceiving(address)).length > 0) await this.#dial(address);
    }
  }

  /** Reports the typing signals of a batch; a chat message ends the peer's typing. */
  #passTyping(address: string, payloads: WirePayload[], hasChats: boolean): void {
    const now = this.#options.clock.now();

    for (const payload of payloads) {
      if (payload.t === 'typing' && this.#typing.shouldAccept(address, payload.isTyping, now)) this.#options.onTyping?.(address, payload.isTyping);
    }
    if (hasChats) this.#options.onTyping?.(address, false);
  }

  /** Stores a chat message from an authenticated sender; see storeIncomingChats. */
  async storeChat(card: Card, payload: ChatPayload): Promise<InboxResult> {
    const [result] = await this.#storeChats(card, [payload]);

    return result ?? 'failed';
  }

  /** Screens rotation statements, stores the rest, then applies the rotations that were stored. */
  async #storeChats(card: Card, payloads: ChatPayload[]): Promise<InboxResult[]> {
    const keyChanges = payloads.some((payload) => payload.rotation) ? await this.#keyChanges() : undefined;
    const screened = keyChanges ? await keyChanges.screen(card, payloads) : { kept: payloads, rotations: new Map() };
    let failure: unknown;
    // Read beside the contact read of the inbox, and only while the sender's chat is on screen.
    // If the read fails, the messages are stored unread and the chat marks them read as before.
    const readOnArrival = this.#shownConversation === card.address ? this.#shownRead().catch(() => undefined) : undefined;
    const storeChats: StoreChats = async (chats, known) =>
      storeIncomingChats(this.#options.storage, this.#options.logger, card, chats, () => this.#stamp(), {
        onError: (error) => {
          failure = error;
        },
        known,
        readOnArrival: await readOnArrival,
      });
    const extension = this.#options.inboxExtension;
    const stored = extension ? await extension.store(card, screened.kept, storeChats) : await storeChats(screened.kept);
    const resultById = new Map<string, InboxResult>(screened.kept.map((payload, index) => [payload.id, stored[index] ?? 'failed']));
    this.stats.droppedFromBlocked += stored.filter((result) => result === 'blocked').length;
    if (failure !== undefined) this.#options.onStorageFault?.(classifyStorageFault(failure));
    else if (stored.some((result) => result === 'stored' || result === 'duplicate')) this.#options.onStorageFault?.(undefined);

    for (const [id, rotation] of screened.rotations) {
      const result = resultById.get(id);
      if (keyChanges && (result === 'stored' || result === 'duplicate')) await keyChanges.apply(rotation);
    }

    const results = payloads.map((payload) => resultById.get(payload.id) ?? 'rejected');
    await this.#recordUnstored(card.address, payloads, results);
    const storedFiles = payloads.filter((chat, index) => chat.file && (results[index] === 'stored' || results[index] === 'duplicate'));
    if (storedFiles.length > 0 && this.#files) {
      try {
        await this.#files.recordIncoming(card.address, storedFiles);
      } catch (error) {
        // Without its file row the message must not be acknowledged, so the sender sends it again.
        this.#options.logger.error('recording incoming files failed', { peer: card.address.slice(0, 12), error: String(error) });
        return payloads.map((chat, index) => (chat.file ? 'failed' : (results[index] ?? 'failed')));
      }
    }

    return results;
  }

  /**
   * Records the seqs of accepted payloads that left no chat row (applied controls, dropped
   * broadcasts, rejected rotation statements), so that they make no gap marker and catch-up
   * does not ask for them (see received-seqs.ts). A failure is logged: the only cost is a
   * gap marker until the sender resends.
   */
  async #recordUnstored(address: string, payloads: ChatPayload[], results: InboxResult[]): Promise<void> {
    const unstored = payloads.filter((payload, index) => {
      const result = results[index];

      return result === 'dropped' || result === 'rejected' || (payload.control !== undefined && (result === 'stored' || result === 'duplicate'));
    });
    if (unstored.length === 0) return;

    try {
      await this.#options.storage.recordReceived(address, address, unstored.map(({ instance, seq }) => ({ instance, seq })));
    } catch (error) {
      this.#options.logger.warn('recording received seqs failed', { peer: address.slice(0, 12), count: unstored.length, error: String(error) });
    }
  }

  #keyChanges(): Promise<KeyChanges> {
    const { storage, clock, logger } = this.#options;

    this.#keyChangesLoading ??= import('./key-changes.ts').then(({ KeyChanges }) => new KeyChanges({ stats: this.stats, storage, clock, logger }));

    return this.#keyChangesLoading;
  }

  #createPeerCourier(carrying: NonNullable<MessengerOptions['carrying']>): PeerCourier {
    const { storage, clock, randomBytes, logger } = this.#options;

    return new PeerCourier({
      ...carrying,
      storage,
      clock,
      randomBytes,
      logger,
      host: {
        identity: () => this.#requireIdentity(),
        ownCard: () => this.#requireCard(),
        readyLinks: () => this.#links.readyLinks(),
        isOnline: (address) => this.#online.has(address),
        dial: (address) => this.#dial(address),
        storeChat: (card, payload) => this.storeChat(card, payload),
        sendDirect: (address, payload) => this.#links.get(address)?.send(payload) ?? false,
        acknowledgeByMailbox: async (card, ids) => {
          if (!this.#courier?.isAvailable) throw new Error('mailbox is not available');
          await this.#courier.acknowledge(card, ids);
        },
        countRejectedEnvelope: () => this.stats.rejectedEnvelopes++,
      },
    });
  }

  #requireIdentity(): Identity {
    if (!this.#identity) throw new Error('messenger has no identity yet; call start() first');

    return this.#identity;
  }

  #requireCard(): WireCard {
    if (!this.#ownCard) throw new Error('messenger has no identity yet; call start() first');

    return this.#ownCard;
  }
}
