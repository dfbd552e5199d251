/**
 * Read receipts. When the user sees a chat, its incoming messages get readAt and, unless the
 * user switched read receipts off, their ids wait in the contact record until a ready link
 * carries them to the sender as a 'read' payload. The sender marks them read and replies with
 * a 'read-ack' naming the same ids, and only then do they leave the contact record. A link that
 * dies in between loses nothing, because the next link sends the ids again, and marking read
 * twice changes nothing.
 */

import { MAX_ACK_IDS } from './messages.ts';
import type { PeerLink } from './peer-link.ts';
import type { Clock, Logger } from './ports.ts';
import type { CoreStorage } from './storage-port.ts';

/** Setting key of the read receipt switch. Receipts go out unless it is stored as false. */
export const READ_RECEIPTS_SETTING = 'readReceipts';

export class ReadReceipts {
  #storage: CoreStorage;
  #clock: Clock;
  #logger: Logger;
  /** Ids already written to each link, so a link carries each receipt once. */
  #sentOn = new WeakMap<PeerLink, Set<string>>();

  constructor(storage: CoreStorage, clock: Clock, logger: Logger) {
    this.#storage = storage;
    this.#clock = clock;
    this.#logger = logger;
  }

  async isEnabled(): Promise<boolean> {
    return (await this.#storage.getSetting(READ_RECEIPTS_SETTING)) !== false;
  }

  /** Stores the switch. Receipts already waiting still go out, since those messages were read while it was on. */
  async setEnabled(isEnabled: boolean): Promise<void> {
    await this.#storage.putSetting(READ_RECEIPTS_SETTING, isEnabled);
  }

  /** Records that the user saw every incoming message of the conversation that is stored now. */
  async markShown(conversation: string): Promise<void> {
    const ids = await this.#storage.markIncomingRead(conversation, this.#clock.now(), await this.isEnabled());
    if (ids.length > 0) this.#logger.debug('messages read', { peer: conversation.slice(0, 12), count: ids.length });
  }

  /**
   * Sends the read receipts of the link's peer that wait for its confirmation and have not
   * gone out on this link yet. They stay stored until the peer's 'read-ack' names them.
   */
  async sendPending(link: PeerLink): Promise<void> {
    if (!link.isReady) return;

    let pending: string[];
    try {
      pending = (await this.#storage.getContact(link.remoteAddress))?.pendingReadReceipts ?? [];
    } catch (error) {
      this.#logger.warn('reading pending read receipts failed', { peer: link.remoteAddress.slice(0, 12), error: String(error) });
      return;
    }

    const sent = this.#sentOn.get(link) ?? new Set<string>();
    this.#sentOn.set(link, sent);
    const ids = pending.filter((id) => !sent.has(id));
    for (let start = 0; start < ids.length; start += MAX_ACK_IDS) {
      const chunk = ids.slice(start, start + MAX_ACK_IDS);
      if (!link.send({ t: 'read', ids: chunk })) break;

      for (const id of chunk) sent.add(id);
    }
  }

  /**
   * Marks the own messages named by the peer's 'read' payloads read and confirms the ids with
   * 'read-ack', all of them, so the peer stops resending ids this side does not know. A failed
   * write sends no confirmation, so the peer sends the ids again on its next link.
   * @throws the storage error of a failed write.
   */
  async applyRead(link: PeerLink, ids: string[]): Promise<void> {
    await this.#storage.markRead(link.remoteAddress, ids);

    for (let start = 0; start < ids.length; start += MAX_ACK_IDS) {
      link.send({ t: 'read-ack', ids: ids.slice(start, start + MAX_ACK_IDS) });
    }
  }

  /** Drops the receipts the peer confirmed from storage. */
  async confirm(link: PeerLink, ids: string[]): Promise<void> {
    try {
      await this.#storage.removeReadReceipts(link.remoteAddress, ids);
    } catch (error) {
      // They stay pending, and the next link sends them again; marking read again changes nothing.
      this.#logger.warn('removing confirmed read receipts failed', { peer: link.remoteAddress.slice(0, 12), error: String(error) });
    }
  }
}
