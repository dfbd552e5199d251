/**
 * The user's profile (display name, status line, avatar) and how it reaches contacts: as a
 * profile control message to each accepted contact, through the outbox, so a contact who is
 * offline gets it later. A newer update replaces an older one still waiting.
 */

import type { OrganiserContext } from './context.ts';
import type { ProfileControl } from './control-messages.ts';
import { isValidAvatarUrl, MAX_PROFILE_STATUS_LENGTH } from './control-messages.ts';
import type { OwnProfile } from './organiser-storage.ts';
import { queueControl } from './outbox-controls.ts';

export interface ProfileChanges {
  displayName: string;
  status: string;
  /** Data URL of the avatar; undefined removes it. */
  avatar?: string;
}

export class ProfileSharing {
  #context: OrganiserContext;

  constructor(context: OrganiserContext) {
    this.#context = context;
  }

  /** Returns the stored profile, or an empty one. */
  async load(): Promise<OwnProfile> {
    return (await this.#context.organiserStorage.loadOwnProfile()) ?? { status: '', updatedAt: 0 };
  }

  /**
   * Saves the profile and queues it to every accepted contact. Returns how many contacts it
   * was queued to.
   * @throws RangeError when the name is empty or too long, the status is too long, or the avatar
   *   is not a small JPEG, PNG or WebP data URL.
   */
  async update(changes: ProfileChanges): Promise<number> {
    const status = changes.status.trim();
    if (status.length > MAX_PROFILE_STATUS_LENGTH) throw new RangeError(`the status is longer than ${MAX_PROFILE_STATUS_LENGTH} characters`);
    if (changes.avatar !== undefined && !isValidAvatarUrl(changes.avatar)) {
      throw new RangeError('the avatar is not a small JPEG, PNG or WebP image');
    }

    const host = this.#context.host();
    if (changes.displayName.trim() !== host.identity?.displayName) await host.changeDisplayName(changes.displayName);
    await this.#context.organiserStorage.saveOwnProfile({
      status,
      ...(changes.avatar !== undefined && { avatar: changes.avatar }),
      updatedAt: this.#context.clock.now(),
    });

    const contacts = (await this.#context.storage.listContacts()).filter((contact) => contact.state === 'contact');
    for (const contact of contacts) await this.shareWith(contact.address);
    this.#context.logger.info('profile update queued', { contacts: contacts.length });

    return contacts.length;
  }

  /** Queues the current profile to one contact, such as one just added. */
  async shareWith(address: string): Promise<void> {
    const profile = await this.load();
    const control: ProfileControl = {
      kind: 'profile',
      card: this.#context.host().ownCard(),
      status: profile.status,
      ...(profile.avatar !== undefined && { avatar: profile.avatar }),
    };

    await queueControl(this.#context, address, control);
  }
}
