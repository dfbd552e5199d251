/** Storing chat messages that arrived from an authenticated sender, by link or by mailbox. */

import type { Card } from './card.ts';
import { contactFromCard } from './contact-cards.ts';
import type { ChatPayload } from './messages.ts';
import { nameClaimFields } from './name-claims.ts';
import type { Logger } from './ports.ts';
import { logIgnoredRevisions } from './revisions.ts';
import type { CoreStorage, MessageRecord, StoreResult } from './storage-port.ts';

/** 'blocked' means dropped before storage; 'failed' means not stored, so no receipt may go out. */
export type InboxResult = StoreResult | 'blocked' | 'failed';

/**
 * Stores chat messages from `sender` in one transaction, creating a message request when the
 * sender is unknown, marked with the contact whose name it claims, if any. `stamp` gives each
 * message its local display time. Storage errors are logged, passed to `onError` and reported
 * as 'failed' for every message rather than thrown.
 */
export async function storeIncomingChats(
  storage: CoreStorage,
  logger: Logger,
  sender: Card,
  payloads: ChatPayload[],
  stamp: () => number,
  onError?: (error: unknown) => void,
): Promise<InboxResult[]> {
  const existing = await storage.getContact(sender.address);
  if (existing?.state === 'blocked') return payloads.map(() => 'blocked');

  const messages: MessageRecord[] = payloads.map((payload) => ({
    id: payload.id,
    conversation: sender.address,
    direction: 'in',
    sender: sender.address,
    instance: payload.instance,
    seq: payload.seq,
    text: payload.text,
    sentAt: payload.sentAt,
    storedAt: stamp(),
    status: 'received',
    ...(payload.file && { file: payload.file }),
    ...(payload.revises && { revises: payload.revises }),
  }));
  const firstStoredAt = messages[0]?.storedAt ?? 0;

  try {
    const newContact = existing
      ? undefined
      : { ...contactFromCard(sender, firstStoredAt), state: 'request' as const, ...(await nameClaimFields(storage, sender)) };
    const results = await storage.storeIncoming(messages, newContact);
    await logIgnoredRevisions(storage, logger, messages.filter((_, index) => results[index] === 'stored'));
    logger.debug('messages received', { peer: sender.address.slice(0, 12), count: messages.length });

    return results;
  } catch (error) {
    logger.error('storing incoming messages failed', { peer: sender.address.slice(0, 12), count: messages.length, error: String(error) });
    onError?.(error);

    return payloads.map(() => 'failed');
  }
}
