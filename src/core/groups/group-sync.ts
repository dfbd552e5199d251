/**
 * Group sync between two members over a direct link. When a link opens, and after every change
 * to a group, each side sends an offer: its log heads, its key bundle ids and a high-water mark
 * per message sender. The receiver sends back what the offer lacks (log entries, bundles sealed
 * to the peer, messages above the marks) and, when the offer shows that the peer has more,
 * its own offer marked as a reply. A reply offer never gets an offer back. Messages travel
 * unchanged, so a member catches up from whoever is online, checking each sender itself.
 */

import type { Card } from '../card.ts';
import { verifyCard } from '../card.ts';
import { DecryptError } from '../errors.ts';
import type { GroupContext } from './group-context.ts';
import { rejectionOf } from './group-context.ts';
import type { GroupCore } from './group-core.ts';
import { GroupDataError } from './group-errors.ts';
import { openGroupMessage, parseGroupMessage } from './group-message.ts';
import type { GroupMessageRow } from './group-types.ts';
import type { GroupBody } from './group-wire.ts';
import { MAX_ENTRIES_PER_PAYLOAD, parseGroupBody } from './group-wire.ts';
import { epochOf } from './group-context.ts';
import { openBundle, verifyBundle } from './key-bundle.ts';
import type { WireEntry } from './membership-log.ts';
import { checkEntrySignature, MembershipLog, readEntry } from './membership-log.ts';

/** Delivery engine functions that the sync uses. */
export interface GroupNetwork {
  /** Sends a body over a ready link; returns false when there is none. */
  send(address: string, body: GroupBody): boolean;
  isConnected(address: string): boolean;
  /** Opens a link to the address when the relay lists it online and none is open. */
  connect(address: string): void;
}

/** Counters of group input that was rejected, for tests and diagnostics. */
export interface GroupSyncStats {
  rejectedEntries: number;
  rejectedBundles: number;
  rejectedMessages: number;
  rejectedPayloads: number;
}

/**
 * Text size of the entries in one log payload. An add entry with 32 cards is about 8,000
 * characters, so a payload stays well inside the 64 KiB frame limit.
 */
const MAX_LOG_PAYLOAD_CHARS = 40_000;

/** Messages sent per sender in reply to one offer; the next offer continues from there. */
const MAX_MESSAGES_PER_SENDER = 2_000;

interface Inbound {
  from: Card;
  body: unknown;
}

export class GroupSync {
  readonly stats: GroupSyncStats = { rejectedEntries: 0, rejectedBundles: 0, rejectedMessages: 0, rejectedPayloads: 0 };
  readonly #core: GroupCore;
  readonly #network: GroupNetwork;
  #queue: Inbound[] = [];
  #draining: Promise<void> | undefined;
  #announced = new Set<string>();
  #cards = new Map<string, Card>();

  constructor(core: GroupCore, network: GroupNetwork) {
    this.#core = core;
    this.#network = network;
  }

  /** Queues a group payload from an authenticated peer; payloads are handled in arrival order. */
  receive(from: Card, body: unknown): void {
    this.#queue.push({ from, body });
    this.#draining ??= this.#drain();
  }

  /** Resolves once every queued payload has been handled. */
  async idle(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  /** Offers a group's state to every connected member, once per turn of the event loop. */
  announce(group: string): void {
    if (this.#announced.has(group)) return;

    this.#announced.add(group);
    void Promise.resolve()
      .then(async () => {
        this.#announced.delete(group);
        const record = await this.#core.storage.getGroup(group);
        if (!record) return;
        for (const member of record.roster) {
          if (member.address !== this.#core.identity.address && this.#network.isConnected(member.address)) await this.#sendOffer(group, member.address, false);
        }
      })
      .catch((error: unknown) => this.#core.logger.error('offering a group failed', { group: group.slice(0, 8), error: String(error) }));
  }

  /** Sends this user's rotate entry of a group to every connected member; see #sendOwnRotation. */
  async sendOwnRotation(group: string): Promise<void> {
    const record = await this.#core.storage.getGroup(group);

    for (const member of record?.roster ?? []) {
      if (member.address !== this.#core.identity.address && this.#network.isConnected(member.address)) await this.#sendOwnRotation(group, member.address);
    }
  }

  /** Offers every shared group to a peer whose link just opened, and sends waiting join requests. */
  async linkReady(address: string): Promise<void> {
    const { storage } = this.#core;

    for (const group of await storage.listGroups()) {
      if (!group.roster.some((member) => member.address === address)) continue;
      await this.#sendOwnRotation(group.id, address);
      await this.#sendOffer(group.id, address, false);
    }
    for (const pending of await storage.listPendingJoins()) {
      if (this.#addressOfPendingAdmin(pending.adminCard) !== address) continue;
      if (pending.isCancelled) await this.sendJoinCancel(pending.group, pending.adminCard);
      else this.sendJoinRequest(pending.group, address);
    }
  }

  /** Opens a link to a member who came online, so both catch up. */
  async presence(address: string, isOnline: boolean): Promise<void> {
    if (!isOnline || this.#network.isConnected(address)) return;

    if ((await this.watchAddresses()).includes(address)) this.#network.connect(address);
  }

  /**
   * Dials one online member of each group that has no linked member, and the admin of each
   * waiting join request, so that a dial that failed once is tried again. One link per group is
   * enough to catch up; the others follow as members come online.
   */
  async reconnect(unlinked: string[]): Promise<void> {
    const { storage, identity } = this.#core;
    const online = new Set(unlinked);
    const dialled = new Set<string>();

    for (const group of await storage.listGroups()) {
      if (!group.isMember) continue;
      const others = group.roster.filter((member) => member.isMember && member.address !== identity.address);
      if (others.some((member) => this.#network.isConnected(member.address) || dialled.has(member.address))) continue;

      const next = others.find((member) => online.has(member.address));
      if (next) dialled.add(next.address);
    }
    for (const pending of await storage.listPendingJoins()) {
      const admin = this.#addressOfPendingAdmin(pending.adminCard);
      if (online.has(admin)) dialled.add(admin);
    }
    for (const address of dialled) this.#network.connect(address);
  }

  /** Addresses whose presence matters: members of groups this user is in and admins of pending joins. */
  async watchAddresses(): Promise<string[]> {
    const { storage, identity } = this.#core;
    const addresses = new Set<string>();

    for (const group of await storage.listGroups()) {
      if (!group.isMember && !(group.hasLeft === true && (await this.#isOwnLeaveAHead(group.id, group.heads)))) continue;
      for (const member of group.roster) if (member.isMember) addresses.add(member.address);
    }
    for (const pending of await storage.listPendingJoins()) addresses.add(this.#addressOfPendingAdmin(pending.adminCard));
    addresses.delete(identity.address);

    return [...addresses];
  }

  /** Finds the card of a group member or pending join admin, so the messenger can dial them. */
  async cardFor(address: string): Promise<Card | undefined> {
    const { storage } = this.#core;

    for (const group of await storage.listGroups()) {
      const member = group.roster.find((entry) => entry.address === address);
      if (member) return this.#verified(member.card);
    }
    for (const pending of await storage.listPendingJoins()) {
      if (this.#addressOfPendingAdmin(pending.adminCard) === address) return this.#verified(pending.adminCard);
    }

    return undefined;
  }

  /**
   * Tells a group's admin that this user cancelled a join request, and deletes the pending row
   * once it went out. Without a link, the row waits for the next one (see linkReady).
   */
  async sendJoinCancel(group: string, adminCard: Card['wire']): Promise<void> {
    const adminAddress = this.#addressOfPendingAdmin(adminCard);
    if (this.#network.send(adminAddress, { k: 'unjoin', group })) {
      await this.#core.storage.deletePendingJoin(group);
      return;
    }

    this.#network.connect(adminAddress);
  }

  sendJoinRequest(group: string, adminAddress: string): void {
    if (this.#network.send(adminAddress, { k: 'join', group })) return;

    this.#network.connect(adminAddress);
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0);
      try {
        await this.#handleBatch(batch);
      } catch (error) {
        this.#core.logger.error('handling group payloads failed', { count: batch.length, error: String(error) });
      }
    }
    // Cleared here, with no await after the loop's last check, so a payload queued in between
    // always finds either a running drain or none. A `.finally` would run a microtask later and
    // could leave that payload queued until the next one arrives.
    this.#draining = undefined;
  }

  async #handleBatch(batch: Inbound[]): Promise<void> {
    const contexts = new Map<string, GroupContext>();
    const changed = new Set<string>();
    const incoming = new Map<string, GroupMessageRow[]>();
    const load = async (group: string): Promise<GroupContext> => {
      let context = contexts.get(group);
      if (!context) {
        context = await this.#core.load(group);
        contexts.set(group, context);
      }
      return context;
    };

    for (const { from, body: raw } of batch) {
      let body: GroupBody;
      try {
        body = parseGroupBody(raw);
      } catch (error) {
        this.stats.rejectedPayloads++;
        this.#core.logger.warn('group payload rejected', { peer: from.address.slice(0, 12), error: String(error) });
        continue;
      }

      switch (body.k) {
        case 'log':
          if (await this.#acceptEntries(await load(body.group), from, body.entries)) changed.add(body.group);
          break;
        case 'key':
          if (await this.#acceptBundle(await load(body.group), body.bundle)) changed.add(body.group);
          break;
        case 'msg':
          await this.#acceptMessage(load, body.message, incoming);
          break;
        case 'join':
          await this.#acceptJoin(await load(body.group), from);
          break;
        case 'unjoin':
          await this.#core.storage.deleteJoinRequest(body.group, from.address);
          break;
        case 'offer':
          await this.#storeMessages(incoming, changed);
          await this.#answerOffer(await load(body.group), from.address, body);
          break;
      }
    }

    await this.#storeMessages(incoming, changed);
    await this.#core.savePairKeys();
    for (const group of changed) {
      const context = contexts.get(group) ?? (await this.#core.load(group));
      const ownAddress = this.#core.identity.address;
      if (context.state.cards.has(ownAddress)) await this.#core.settle(context);
      if (context.state.members.has(ownAddress)) await this.#core.storage.deletePendingJoin(group);
      this.announce(group);
    }
  }

  /** Returns true when at least one new entry was stored. */
  async #acceptEntries(context: GroupContext, from: Card, entries: unknown[]): Promise<boolean> {
    const rows = [];

    for (const raw of entries) {
      try {
        const unchecked = readEntry(raw);
        if (context.log.has(unchecked.hash)) continue;
        const { hash, entry } = checkEntrySignature(unchecked);
        if (!context.log.groupId && hash !== context.group) throw new GroupDataError('log of an unknown group must start with its create entry');
        context.log.accept(hash, entry);
        rows.push({ group: context.group, hash, entry, storedAt: this.#core.clock.now() });
      } catch (error) {
        this.stats.rejectedEntries++;
        this.#core.logger.warn('group log entry rejected', { group: context.group.slice(0, 8), error: String(error) });
      }
    }
    if (rows.length === 0) return false;

    context.state = context.log.state();
    // A log of a group this user is not in is kept only when one of its members sent it.
    if (!context.record && !context.state.cards.has(from.address)) {
      this.#resetLog(context);
      return false;
    }
    await this.#core.storage.addLogEntries(rows);

    return true;
  }

  #resetLog(context: GroupContext): void {
    context.log = new MembershipLog();
    context.state = context.log.state();
  }

  /** Verifies, opens and stores a bundle; returns true when it is new. */
  async #acceptBundle(context: GroupContext, raw: unknown): Promise<boolean> {
    try {
      const bundle = verifyBundle(raw, context.log);
      if (context.bundles.has(bundle.id)) return false;

      const authorCard = context.state.cards.get(bundle.author);
      if (!authorCard) throw new GroupDataError('bundle author has no card in the log');
      const key = openBundle(bundle, this.#core.identity.address, authorCard.boxKey, this.#core.pairKeys);
      const row = { group: context.group, id: bundle.id, bundle, ...(key && { key }), storedAt: this.#core.clock.now() };
      await this.#core.storage.putBundle(row);
      context.bundles.set(bundle.id, row);

      return true;
    } catch (error) {
      if (!(error instanceof GroupDataError)) throw error;
      this.stats.rejectedBundles++;
      this.#core.logger.warn('group key bundle rejected', { group: context.group.slice(0, 8), error: String(error) });
      return false;
    }
  }

  async #acceptMessage(load: (group: string) => Promise<GroupContext>, raw: unknown, incoming: Map<string, GroupMessageRow[]>): Promise<void> {
    try {
      const message = parseGroupMessage(raw);
      const context = await load(message.group);
      const row = context.bundles.get(message.epoch);
      const epoch = row && epochOf(row, context.state);
      if (!row || !epoch) throw new GroupDataError('message epoch is unknown or its key is missing');

      const rejection = rejectionOf(message, row, context);
      if (rejection) throw new GroupDataError(rejection);
      const senderCard = context.state.cards.get(message.sender);
      if (!senderCard) throw new GroupDataError('sender has no card in the log');

      const content = openGroupMessage(message, epoch, this.#core.identity.address, senderCard.boxKey, this.#core.pairKeys);
      if (content.k === 'text' && context.state.isAnnouncement && !context.state.admins.has(message.sender)) {
        throw new GroupDataError('only admins post in announcement mode');
      }

      const rows = incoming.get(message.group) ?? [];
      rows.push({
        group: message.group,
        id: content.id,
        sender: message.sender,
        seq: message.seq,
        epoch: message.epoch,
        sentAt: content.sentAt,
        storedAt: this.#core.clock.now(),
        kind: content.k,
        ...(content.k === 'text' ? { text: content.text } : { readIds: content.ids }),
        wire: message,
      });
      incoming.set(message.group, rows);
    } catch (error) {
      if (!(error instanceof GroupDataError || error instanceof DecryptError)) throw error;
      this.stats.rejectedMessages++;
      this.#core.logger.warn('group message rejected', { error: error.message });
    }
  }

  async #storeMessages(incoming: Map<string, GroupMessageRow[]>, changed: Set<string>): Promise<void> {
    for (const [group, rows] of incoming) {
      incoming.delete(group);
      const results = await this.#core.storage.storeGroupMessages(rows, this.#core.identity.address);
      if (results.includes('stored')) {
        this.#core.logger.debug('group messages received', { group: group.slice(0, 8), count: results.filter((result) => result === 'stored').length });
        changed.add(group);
      }
    }
  }

  async #acceptJoin(context: GroupContext, from: Card): Promise<void> {
    const ownAddress = this.#core.identity.address;
    if (!context.state.admins.has(ownAddress) || context.state.members.has(from.address)) return;

    await this.#core.storage.putJoinRequest({ group: context.group, address: from.address, card: from.wire, requestedAt: this.#core.clock.now() });
    this.#core.logger.info('join request received', { group: context.group.slice(0, 8) });
  }

  async #answerOffer(context: GroupContext, peer: string, offer: Extract<GroupBody, { k: 'offer' }>): Promise<void> {
    const { storage } = this.#core;

    if (!context.log.groupId) {
      // Someone added this user to a group it has not heard of: ask for everything.
      const pending = await storage.getPendingJoin(context.group);
      if (!offer.isReply && ((pending !== undefined && !pending.isCancelled) || offer.heads.length > 0)) {
        this.#network.send(peer, { k: 'offer', group: context.group, heads: [], bundles: [], marks: {}, isReply: true });
      }
      return;
    }
    if (!context.state.cards.has(peer)) return;

    const isPeerMember = context.state.members.has(peer);
    const hasAllPeerHeads = offer.heads.every((head) => context.log.has(head));
    this.#sendMissingEntries(context, peer, hasAllPeerHeads ? context.log.past(offer.heads) : new Set());

    const ownMarks = await this.#marks(context.group);
    if (isPeerMember) {
      const known = new Set(offer.bundles);
      for (const row of context.bundles.values()) {
        if (!known.has(row.id) && row.bundle.members.includes(peer)) this.#network.send(peer, { k: 'key', group: context.group, bundle: row.bundle });
      }
      await this.#sendMissingMessages(context, peer, offer.marks, ownMarks);
    }

    const peerHasMore =
      !hasAllPeerHeads ||
      offer.bundles.some((id) => !context.bundles.has(id)) ||
      Object.entries(offer.marks).some(([sender, seq]) => seq > (ownMarks.get(sender) ?? 0));
    if (peerHasMore && !offer.isReply) await this.#sendOffer(context.group, peer, true);
  }

  /** Sends log entries the peer lacks, parents first, in payloads that stay well inside one frame. */
  #sendMissingEntries(context: GroupContext, peer: string, peerPast: Set<string>): void {
    const missing = context.log.ordered().filter(({ hash }) => !peerPast.has(hash));
    let entries: WireEntry[] = [];
    let payloadChars = 0;
    const flush = (): void => {
      if (entries.length > 0) this.#network.send(peer, { k: 'log', group: context.group, entries });
      entries = [];
      payloadChars = 0;
    };

    for (const { entry } of missing) {
      const entryChars = JSON.stringify(entry).length;
      if (entries.length === MAX_ENTRIES_PER_PAYLOAD || payloadChars + entryChars > MAX_LOG_PAYLOAD_CHARS) flush();
      entries.push(entry);
      payloadChars += entryChars;
    }
    flush();
  }

  async #sendMissingMessages(context: GroupContext, peer: string, peerMarks: Record<string, number>, ownMarks: Map<string, number>): Promise<void> {
    for (const [sender, ownMark] of ownMarks) {
      const peerMark = peerMarks[sender] ?? 0;
      if (ownMark <= peerMark || sender === peer) continue;

      const rows = await this.#core.storage.listSenderMessages(context.group, sender, peerMark, MAX_MESSAGES_PER_SENDER);
      for (const row of rows) {
        if (context.bundles.get(row.epoch)?.bundle.members.includes(peer)) this.#network.send(peer, { k: 'msg', message: row.wire });
      }
    }
  }

  /**
   * Sends a rotate entry of this user, and every entry after it, to a peer that may not know the
   * new key yet: such a peer ignores offers from an address its log does not name.
   */
  async #sendOwnRotation(group: string, peer: string): Promise<void> {
    const context = await this.#core.load(group);
    const ownAddress = this.#core.identity.address;
    if (!context.state.predecessors.has(ownAddress)) return;

    const rotation = [...context.log.entries].find(([, entry]) => entry.op.k === 'rotate' && entry.author === ownAddress);
    if (rotation) this.#sendMissingEntries(context, peer, context.log.past(rotation[1].parents));
  }

  /** Tells whether this user's leave entry is still a head of the log, so no member may have seen it. */
  async #isOwnLeaveAHead(group: string, heads: string[]): Promise<boolean> {
    const ownAddress = this.#core.identity.address;
    const rows = await this.#core.storage.listLog(group);

    return rows.some((row) => heads.includes(row.hash) && row.entry.op.k === 'leave' && row.entry.author === ownAddress);
  }

  async #sendOffer(group: string, peer: string, isReply: boolean): Promise<void> {
    const context = await this.#core.load(group);
    if (!context.log.groupId) return;

    const marks = Object.fromEntries(await this.#marks(group));
    this.#network.send(peer, { k: 'offer', group, heads: context.log.heads(), bundles: [...context.bundles.keys()], marks, isReply });
  }

  /**
   * Per sender, the highest sequence number up to which every message from the lowest one held
   * is stored. Messages before the lowest are from epochs this device was not in.
   */
  async #marks(group: string): Promise<Map<string, number>> {
    const bySender = new Map<string, number[]>();
    for (const { sender, seq } of await this.#core.storage.listMessageKeys(group)) {
      const list = bySender.get(sender);
      if (list) list.push(seq);
      else bySender.set(sender, [seq]);
    }

    const marks = new Map<string, number>();
    for (const [sender, seqs] of bySender) {
      seqs.sort((a, b) => a - b);
      let mark = seqs[0] ?? 0;
      for (const seq of seqs) if (seq === mark + 1) mark = seq;
      marks.set(sender, mark);
    }

    return marks;
  }

  #addressOfPendingAdmin(card: Card['wire']): string {
    return this.#verified(card).address;
  }

  #verified(card: Card['wire']): Card {
    const cached = this.#cards.get(card.signature);
    if (cached) return cached;

    const verified = verifyCard(card);
    this.#cards.set(card.signature, verified);

    return verified;
  }
}
