/**
 * The organiser's tools in one handle: contact lists and join links, broadcasts with opt-out,
 * profiles, and unblocking. It plugs into the Messenger through `inbox` (incoming controls and
 * broadcast copies) and `beforeDeliver` (cancelling copies that may no longer go).
 */

import type { InboxExtension } from '../messenger.ts';
import type { Clock, Logger, RandomBytes } from '../ports.ts';
import type { CoreStorage } from '../storage-port.ts';
import { Broadcaster } from './broadcaster.ts';
import { ContactLists } from './contact-lists.ts';
import type { MessengerHost, OrganiserContext } from './context.ts';
import { ControlInbox } from './control-inbox.ts';
import type { OrganiserStorage } from './organiser-storage.ts';
import { cancelStoppedCopies, queueControl } from './outbox-controls.ts';
import { ProfileSharing } from './profiles.ts';

export interface OrganiserOptions {
  storage: CoreStorage;
  organiserStorage: OrganiserStorage;
  clock: Clock;
  randomBytes: RandomBytes;
  logger: Logger;
  appUrl: string;
  relayUrls: string[];
}

export class Organiser {
  readonly lists: ContactLists;
  readonly broadcasts: Broadcaster;
  readonly profile: ProfileSharing;
  readonly inbox: InboxExtension;
  #context: OrganiserContext;
  #host: MessengerHost | undefined;

  constructor(options: OrganiserOptions) {
    this.#context = {
      ...options,
      host: () => {
        if (!this.#host) throw new Error('organiser has no messenger; call attach() first');
        return this.#host;
      },
    };
    this.lists = new ContactLists(this.#context);
    this.broadcasts = new Broadcaster(this.#context);
    this.profile = new ProfileSharing(this.#context);
    this.inbox = new ControlInbox(this.#context, {
      onContactJoined: (address) => void this.#welcome(address),
    });
  }

  /** Connects the messenger that sends what the organiser queues. Call once, before use. */
  attach(host: MessengerHost): void {
    this.#host = host;
  }

  /** Cancels broadcast copies to a contact who opted out or was blocked; see Messenger's beforeDeliver. */
  async beforeDeliver(conversation: string): Promise<void> {
    await cancelStoppedCopies(this.#context, conversation);
  }

  /**
   * Stops the broadcasts of a contact: their broadcast copies are dropped from now on, and an
   * opt-out goes to them so that their app sends no more.
   */
  async stopBroadcasts(address: string): Promise<void> {
    await this.#context.storage.updateContact(address, { stoppedBroadcastsAt: this.#context.clock.now() });
    await queueControl(this.#context, address, { kind: 'opt-out' });
  }

  /** Accepts a contact's broadcasts again and tells them so. */
  async resumeBroadcasts(address: string): Promise<void> {
    await this.#context.storage.updateContact(address, { stoppedBroadcastsAt: undefined });
    await queueControl(this.#context, address, { kind: 'opt-in' });
  }

  /** Sends the own profile to a new contact when it has a status or an avatar; the name goes with every handshake. */
  async shareProfileIfSet(address: string): Promise<void> {
    const profile = await this.profile.load();
    if (profile.status === '' && profile.avatar === undefined) return;

    await this.profile.shareWith(address);
  }

  /**
   * Unblocks a contact: it becomes an accepted contact again, watched and dialled as before.
   * NOTE: messages the contact sent during the block were dropped unacknowledged, so those
   * still in their outbox arrive now.
   */
  async unblock(address: string): Promise<void> {
    const contact = await this.#context.storage.getContact(address);
    if (contact?.state !== 'blocked') return;

    await this.#context.storage.updateContact(address, { state: 'contact' });
    await this.#context.host().refreshWatchList();
  }

  async #welcome(address: string): Promise<void> {
    try {
      await this.#context.host().refreshWatchList();
      await this.shareProfileIfSet(address);
    } catch (error) {
      this.#context.logger.warn('welcoming a joined contact failed', { peer: address.slice(0, 12), error: String(error) });
    }
  }
}
