/**
 * Read receipts. When the user sees a chat, its incoming messages get readAt and, unless the
 * user switched read receipts off, their ids wait in the contact record until a ready link
 * carries them to the sender as a 'read' payload. The sender then marks them read.
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
   * Sends the waiting read receipts of the link's peer.
   * NOTE: the receipts leave storage before they are sent. When the link dies at that moment
   * they are lost, and the messages stay 'delivered' on the sender's side.
   */
  async sendPending(link: PeerLink): Promise<void> {
    if (!link.isReady) return;

    let ids: string[];
    try {
      ids = await this.#storage.takeReadReceipts(link.remoteAddress);
    } catch (error) {
      this.#logger.warn('reading pending read receipts failed', { peer: link.remoteAddress.slice(0, 12), error: String(error) });
      return;
    }
    for (let start = 0; start < ids.length; start += MAX_ACK_IDS) {
      if (!link.send({ t: 'read', ids: ids.slice(start, start + MAX_ACK_IDS) })) break;
    }
  }
}
