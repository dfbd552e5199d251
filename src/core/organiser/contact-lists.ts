/**
 * User-defined contact lists and their join links. Opening a list's join link adds the
 * organiser as a contact and sends them a join request, which files the person into the list
 * on the organiser's side (see ControlInbox).
 */

import { toBase64Url } from '../bytes.ts';
import { createInviteLink } from '../invite.ts';
import type { OrganiserContext } from './context.ts';
import { requireIdentity } from './context.ts';
import { createJoinLink, MAX_LIST_NAME_LENGTH, parseJoinLink } from './join-link.ts';
import type { ContactList } from './organiser-storage.ts';
import { queueControl } from './outbox-controls.ts';

export class ContactLists {
  #context: OrganiserContext;

  constructor(context: OrganiserContext) {
    this.#context = context;
  }

  /**
   * Creates a list.
   * @throws RangeError when the name is empty or longer than MAX_LIST_NAME_LENGTH.
   */
  async create(name: string): Promise<ContactList> {
    const list: ContactList = {
      id: toBase64Url(this.#context.randomBytes(12)),
      name: checkListName(name),
      createdAt: this.#context.clock.now(),
      joinToken: this.#newToken(),
    };
    await this.#context.organiserStorage.putList(list);

    return list;
  }

  /** Renames a list. Join links made before carry the old name but still work. */
  async rename(id: string, name: string): Promise<void> {
    const list = await this.#require(id);
    await this.#context.organiserStorage.putList({ ...list, name: checkListName(name) });
  }

  /** Gives the list a new join token, so every join link shared before stops filing people in it. */
  async revokeJoinLinks(id: string): Promise<void> {
    const list = await this.#require(id);
    await this.#context.organiserStorage.putList({ ...list, joinToken: this.#newToken() });
  }

  async delete(id: string): Promise<void> {
    await this.#context.organiserStorage.deleteList(id);
  }

  async addMembers(id: string, addresses: string[]): Promise<void> {
    await this.#require(id);
    await this.#context.organiserStorage.addMembers(id, addresses, this.#context.clock.now());
  }

  async removeMember(id: string, address: string): Promise<void> {
    await this.#context.organiserStorage.removeMember(id, address);
  }

  /** Builds the join link of a list. */
  async joinLink(id: string): Promise<string> {
    const list = await this.#require(id);
    const { appUrl, relayUrls } = this.#context;

    return createJoinLink(appUrl, requireIdentity(this.#context), this.#context.host().ownCard(), relayUrls, {
      id: list.id,
      name: list.name,
      token: list.joinToken,
    });
  }

  /**
   * Joins an organiser's list from its link: saves the organiser as a contact and queues the
   * join request to them. Returns the organiser's address.
   * @throws JoinLinkError when the link is malformed or altered; RangeError for one's own link.
   */
  async join(link: string): Promise<string> {
    const offer = parseJoinLink(link);
    const identity = requireIdentity(this.#context);
    if (offer.organiser.address === identity.address) throw new RangeError('this is the join link of your own list');

    const host = this.#context.host();
    const invite = createInviteLink(this.#context.appUrl, offer.organiser.wire, offer.organiser.address, offer.relays);
    await host.addContactFromInvite(invite);
    await queueControl(this.#context, offer.organiser.address, { kind: 'join', list: offer.list.id, token: offer.list.token });

    return offer.organiser.address;
  }

  async #require(id: string): Promise<ContactList> {
    const list = await this.#context.organiserStorage.getList(id);
    if (!list) throw new RangeError(`list ${id} not found`);

    return list;
  }

  #newToken(): string {
    return toBase64Url(this.#context.randomBytes(18));
  }
}

function checkListName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0) throw new RangeError('the list name is empty');
  if (trimmed.length > MAX_LIST_NAME_LENGTH) throw new RangeError(`the list name is longer than ${MAX_LIST_NAME_LENGTH} characters`);

  return trimmed;
}
