/** Storing chat messages that arrived from an authenticated sender, by link or by mailbox. */

import type { Card } from './card.ts';
import { contactFromCard } from './contact-cards.ts';
import type { ChatPayload } from './messages.ts';
import type { Logger } from './ports.ts';
import type { CoreStorage, MessageRecord, StoreResult } from './storage-port.ts';

/** 'blocked' means dropped before storage; 'failed' means not stored, so no receipt may go out. */
export type InboxResult = StoreResult | 'blocked' | 'failed';

/**
 * Stores a chat message from `sender`, creating a message request when the sender is unknown.
 * Storage errors are logged and reported as 'failed' rather than thrown.
 */
export async function storeIncomingChat(
  storage: CoreStorage,
  logger: Logger,
  sender: Card,
  payload: ChatPayload,
  storedAt: number,
): Promise<InboxResult> {
  const existing = await storage.getContact(sender.address);
  if (existing?.state === 'blocked') return 'blocked';

  const message: MessageRecord = {
    id: payload.id,
    conversation: sender.address,
    direction: 'in',
    sender: sender.address,
    instance: payload.instance,
    seq: payload.seq,
    text: payload.text,
    sentAt: payload.sentAt,
    storedAt,
    status: 'received',
  };
  const newContact = existing ? undefined : { ...contactFromCard(sender, storedAt), state: 'request' as const };

  try {
    const result = await storage.storeIncoming(message, newContact);
    logger.debug('message received', { peer: sender.address.slice(0, 12), seq: payload.seq, result });

    return result;
  } catch (error) {
    logger.error('storing an incoming message failed', { peer: sender.address.slice(0, 12), error: String(error) });

    return 'failed';
  }
}
