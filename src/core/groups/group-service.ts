/**
 * Group actions of the user: create, rename, add and remove members, admins, announcement mode,
 * join links and requests, sending text and read receipts. Each action writes to storage first;
 * the sync then offers the change to every member with an open link.
 */

import { toBase64Url } from '../bytes.ts';
import type { Card, WireCard } from '../card.ts';
import { signCard } from '../card.ts';
import type { Identity } from '../identity.ts';
import { signRotation } from '../key-rotation.ts';
import { MAX_TEXT_LENGTH } from '../messages.ts';
import { epochOf } from './group-context.ts';
import type { GroupContext } from './group-context.ts';
import type { GroupCore } from './group-core.ts';
import { GroupActionError } from './group-errors.ts';
import { createGroupLink, parseGroupLink } from './group-links.ts';
import type { GroupContent } from './group-message.ts';
import { MAX_READ_IDS, sealGroupMessage } from './group-message.ts';
import { normaliseGroupName } from './group-names.ts';
import type { GroupSync } from './group-sync.ts';
import type { GroupMessageRow, GroupRecord } from './group-types.ts';
import { MAX_GROUP_MEMBERS } from './key-bundle.ts';
import type { GroupOp } from './membership-log.ts';
import { addressOfCard, MAX_CARDS_PER_ADD, signEntry } from './membership-log.ts';

export class GroupService {
  readonly #core: GroupCore;
  readonly #sync: GroupSync;

  constructor(core: GroupCore, sync: GroupSync) {
    this.#core = core;
    this.#sync = sync;
  }

  /**
   * Creates a group with this user as its admin and `members` (verified cards, such as contacts)
   * in it, and issues its first key.
   * @throws RangeError for an invalid name or too many members.
   */
  async create(name: string, members: Card[], { isAnnouncement = false }: { isAnnouncement?: boolean } = {}): Promise<GroupRecord> {
    const { identity, clock, randomBytes, storage } = this.#core;
    const groupName = normaliseGroupName(name);
    const others = uniqueCards(members.map((card) => card.wire)).filter((card) => addressOfCard(card) !== identity.address);
    if (others.length + 1 > MAX_GROUP_MEMBERS) throw new RangeError(`a group can have at most ${MAX_GROUP_MEMBERS} members`);

    const created = signEntry(identity, {
      group: '',
      parents: [],
      at: clock.now(),
      op: { k: 'create', name: groupName, nonce: toBase64Url(randomBytes(16)), announce: isAnnouncement, card: signCard(identity) },
    });
    await storage.addLogEntries([{ group: created.hash, hash: created.hash, entry: created.entry, storedAt: clock.now() }]);

    let context = await this.#core.load(created.hash);
    for (let start = 0; start < others.length; start += MAX_CARDS_PER_ADD) {
      context = await this.#core.appendEntry(context, { k: 'add', cards: others.slice(start, start + MAX_CARDS_PER_ADD) });
    }

    return this.#finish(context);
  }

  /** @throws GroupActionError unless this user is an admin; RangeError when the group would exceed MAX_GROUP_MEMBERS. */
  async addMembers(group: string, cards: WireCard[]): Promise<GroupRecord> {
    let context = await this.#adminContext(group);
    const fresh = uniqueCards(cards).filter((card) => !context.state.members.has(addressOfCard(card)));
    if (fresh.length === 0) return this.#finish(context);
    if (context.state.members.size + fresh.length > MAX_GROUP_MEMBERS) throw new RangeError(`a group can have at most ${MAX_GROUP_MEMBERS} members`);

    for (let start = 0; start < fresh.length; start += MAX_CARDS_PER_ADD) {
      context = await this.#core.appendEntry(context, { k: 'add', cards: fresh.slice(start, start + MAX_CARDS_PER_ADD) });
    }
    for (const card of fresh) await this.#core.storage.deleteJoinRequest(group, addressOfCard(card));

    return this.#finish(context);
  }

  /**
   * Removes a member and sends a new key to the rest. The entry records the highest sequence
   * number stored from them, so receivers reject anything they send later, even under the old key.
   * @throws GroupActionError unless this user is an admin, the address is a member and an admin remains.
   */
  async removeMember(group: string, address: string): Promise<GroupRecord> {
    const context = await this.#adminContext(group);
    if (!context.state.members.has(address)) throw new GroupActionError('this person is not a member');
    if (context.state.admins.has(address) && context.state.admins.size === 1) throw new GroupActionError('the last admin cannot be removed');

    const keys = await this.#core.storage.listMessageKeys(group);
    const lastSeq = keys.filter((key) => key.sender === address).reduce((highest, key) => Math.max(highest, key.seq), 0);

    return this.#finish(await this.#core.appendEntry(context, { k: 'remove', member: address, lastSeq }));
  }

  /** @throws GroupActionError unless this user is an admin and, when demoting, another admin remains. */
  async setAdmin(group: string, address: string, isAdmin: boolean): Promise<GroupRecord> {
    const context = await this.#adminContext(group);
    if (!context.state.members.has(address)) throw new GroupActionError('this person is not a member');
    if (context.state.admins.has(address) === isAdmin) return this.#finish(context);
    if (!isAdmin && context.state.admins.size === 1) throw new GroupActionError('a group needs at least one admin');

    return this.#finish(await this.#core.appendEntry(context, { k: 'admin', member: address, isAdmin }));
  }

  async rename(group: string, name: string): Promise<GroupRecord> {
    return this.#changeSetting(group, { k: 'rename', name: normaliseGroupName(name) });
  }

  async setAnnouncement(group: string, isAnnouncement: boolean): Promise<GroupRecord> {
    return this.#changeSetting(group, { k: 'mode', announce: isAnnouncement });
  }

  /**
   * Encrypts a text for the current members, stores it, and offers it to connected members.
   * @throws RangeError for an empty or too long text; GroupActionError when this user is not a
   *   member, may not post in announcement mode, or no key for the current members has arrived.
   */
  async sendText(group: string, text: string): Promise<GroupMessageRow> {
    const trimmed = text.trim();
    if (trimmed.length === 0) throw new RangeError('message is empty');
    if (trimmed.length > MAX_TEXT_LENGTH) throw new RangeError(`message is longer than ${MAX_TEXT_LENGTH} characters`);

    const context = await this.#core.load(group);
    if (context.state.isAnnouncement && !context.state.admins.has(this.#core.identity.address)) {
      throw new GroupActionError('only admins post in announcement mode');
    }

    return this.#send(context, { k: 'text', id: this.#newId(), sentAt: this.#core.clock.now(), text: trimmed });
  }

  /**
   * Sends a read receipt for `ids` in an announcement group, which admins see as "read by".
   * Returns undefined, sending nothing, outside announcement mode or when there is nothing to report.
   */
  async sendReadReceipt(group: string, ids: string[]): Promise<GroupMessageRow | undefined> {
    const context = await this.#core.load(group);
    if (!context.state.isAnnouncement || ids.length === 0 || !context.state.members.has(this.#core.identity.address)) return undefined;

    return this.#send(context, { k: 'read', id: this.#newId(), sentAt: this.#core.clock.now(), ids: ids.slice(-MAX_READ_IDS) });
  }

  /** Builds the join link an admin shares with an event team. */
  async joinLink(appUrl: string, group: string): Promise<string> {
    const context = await this.#adminContext(group);

    return createGroupLink(appUrl, { group, name: context.state.name, adminCard: signCard(this.#core.identity) });
  }

  /**
   * Records a followed join link and sends the request to its admin as soon as a link to them
   * opens. Returns the group id.
   * @throws GroupDataError for a malformed link; GroupActionError for a link of one's own.
   */
  async requestJoin(link: string): Promise<string> {
    const parsed = parseGroupLink(link);
    if (parsed.admin.address === this.#core.identity.address) throw new GroupActionError('this is your own group link');

    await this.#core.storage.putPendingJoin({ group: parsed.group, name: parsed.name, adminCard: parsed.admin.wire, requestedAt: this.#core.clock.now() });
    this.#sync.sendJoinRequest(parsed.group, parsed.admin.address);

    return parsed.group;
  }

  /** Adds the person behind a join request. */
  async approveJoin(group: string, address: string): Promise<GroupRecord> {
    const request = (await this.#core.storage.listJoinRequests(group)).find((row) => row.address === address);
    if (!request) throw new GroupActionError('no such join request');

    return this.addMembers(group, [request.card]);
  }

  async dismissJoin(group: string, address: string): Promise<void> {
    await this.#core.storage.deleteJoinRequest(group, address);
  }

  /**
   * Cancels a join request this user sent. The row stays, marked cancelled, until the cancel has
   * gone out to the admin over a link, so the request does not linger in the admin's list.
   * @throws GroupActionError when no request to this group is pending.
   */
  async cancelJoin(group: string): Promise<void> {
    const { storage } = this.#core;
    const pending = await storage.getPendingJoin(group);
    if (!pending || pending.isCancelled) throw new GroupActionError('no join request to this group is pending');

    await storage.putPendingJoin({ ...pending, isCancelled: true });
    await this.#sync.sendJoinCancel(group, pending.adminCard);
  }

  /**
   * Leaves a group with a leave entry signed by this user. The admins then issue a new key to
   * the others, as for a removal. When this user was the last admin, the member added earliest
   * becomes the admin (see membership-log.ts).
   * @throws GroupActionError when this user is not a member.
   */
  async leave(group: string): Promise<GroupRecord> {
    const context = await this.#core.load(group);
    if (!context.log.groupId) throw new GroupActionError('group not found');
    if (!context.state.members.has(this.#core.identity.address)) throw new GroupActionError('you are not a member of this group');

    const lastSeq = (await this.#core.storage.getGroup(group))?.ownSeq ?? 0;

    return this.#finish(await this.#core.appendEntry(context, { k: 'leave', lastSeq }));
  }

  /**
   * Moves this user's memberships from the keys a rotation replaced to the current ones. In every
   * group where a retired identity is a member and the current one is not, it appends a rotate
   * entry with a rotation statement signed by both keys. Returns the ids of the groups changed.
   */
  async followOwnRotation(retired: Identity[]): Promise<string[]> {
    const { identity, storage, clock } = this.#core;
    const changed: string[] = [];

    for (const record of await storage.listGroups()) {
      const context = await this.#core.load(record.id);
      const previous = retired.find((old) => context.state.members.has(old.address));
      if (!previous || context.state.members.has(identity.address)) continue;

      const op: GroupOp = {
        k: 'rotate',
        rotation: signRotation(previous, identity, clock.now()),
        card: signCard(identity),
        lastSeq: record.ownSeq,
        admin: context.state.admins.has(previous.address),
      };
      await this.#finish(await this.#core.appendEntry(context, op));
      await this.#sync.sendOwnRotation(record.id);
      changed.push(record.id);
    }

    return changed;
  }

  async #send(context: GroupContext, content: GroupContent): Promise<GroupMessageRow> {
    const { identity, storage, randomBytes, clock } = this.#core;
    if (!context.state.members.has(identity.address)) throw new GroupActionError('you are not a member of this group');

    const record = await this.#core.settle(context);
    const row = record.currentEpoch ? context.bundles.get(record.currentEpoch) : undefined;
    const epoch = row && epochOf(row, context.state);
    if (!epoch) throw new GroupActionError('the group key for the current members has not arrived yet');

    const seq = await storage.nextOwnSeq(context.group);
    const wire = sealGroupMessage(epoch, this.#core.pairKeys, randomBytes, { sender: identity.address, seq, content });
    const message: GroupMessageRow = {
      group: context.group,
      id: content.id,
      sender: identity.address,
      seq,
      epoch: epoch.id,
      sentAt: content.sentAt,
      storedAt: clock.now(),
      kind: content.k,
      ...(content.k === 'text' ? { text: content.text } : { readIds: content.ids }),
      wire,
    };
    await storage.storeGroupMessages([message], identity.address);
    await this.#core.savePairKeys();
    this.#sync.announce(context.group);

    return message;
  }

  async #changeSetting(group: string, op: GroupOp): Promise<GroupRecord> {
    return this.#finish(await this.#core.appendEntry(await this.#adminContext(group), op));
  }

  async #adminContext(group: string): Promise<GroupContext> {
    const context = await this.#core.load(group);
    if (!context.log.groupId) throw new GroupActionError('group not found');
    if (!context.state.admins.has(this.#core.identity.address)) throw new GroupActionError('only admins can change the group');

    return context;
  }

  async #finish(context: GroupContext): Promise<GroupRecord> {
    const record = await this.#core.settle(context);
    this.#sync.announce(context.group);

    return record;
  }

  #newId(): string {
    return toBase64Url(this.#core.randomBytes(16));
  }
}

function uniqueCards(cards: WireCard[]): WireCard[] {
  const byAddress = new Map<string, WireCard>();
  for (const card of cards) byAddress.set(addressOfCard(card), card);

  return [...byAddress.values()];
}
