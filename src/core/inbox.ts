/** Storing chat messages that arrived from an authenticated sender, by link or by mailbox. */

import type { Card } from './card.ts';
import { contactFromCard } from './contact-cards.ts';
import type { ChatPayload } from './messages.ts';
import { nameClaimFields } from './name-claims.ts';
import type { Logger } from './ports.ts';
import { logIgnoredRevisions } from './revisions.ts';
import type { ContactRecord, CoreStorage, MessageRecord, ShownRead, StoreResult } from './storage-port.ts';

/**
 * Outcome of one incoming chat payload. 'blocked' (dropped before storage) and 'failed' (not
 * stored) get no receipt. 'dropped' (an applied control, or a broadcast the user stopped) and
 * 'rejected' (a rotation statement that failed its checks) are not stored but acknowledged.
 */
export type InboxResult = StoreResult | 'blocked' | 'dropped' | 'failed' | 'rejected';

/** Sender's contact record, read by the caller just before, so storing needs no second read. */
export interface KnownContact {
  contact: ContactRecord | undefined;
}

/** Stores chat payloads from the sender that the caller bound it to; see storeIncomingChats. */
export type StoreChats = (chats: ChatPayload[], known?: KnownContact) => Promise<InboxResult[]>;

/** Options of storeIncomingChats. */
export interface StoreChatsOptions {
  onError?: (error: unknown) => void;
  /** Sender's contact, when the caller has just read it. */
  known?: KnownContact;
  /** Set when the sender's chat is on screen. A message request is never stored read. */
  readOnArrival?: ShownRead;
}

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
  { onError, known, readOnArrival }: StoreChatsOptions = {},
): Promise<InboxResult[]> {
  const existing = known ? known.contact : await storage.getContact(sender.address);
  if (existing?.state === 'blocked') return payloads.map(() => 'blocked');

  const messages: MessageRecord[] = payloads.map((payload): MessageRecord => ({
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
    ...(payload.broadcast && { isBroadcast: true }),
    ...(payload.file && { file: payload.file }),
    ...(payload.revises && { revises: payload.revises }),
    ...(payload.rotation && { rotation: payload.rotation }),
  })).map(asDeletedMessage);
  const firstStoredAt = messages[0]?.storedAt ?? 0;

  try {
    const newContact = existing
      ? undefined
      : { ...contactFromCard(sender, firstStoredAt), state: 'request' as const, ...(await nameClaimFields(storage, sender)) };
    const results = await storage.storeIncoming(messages, newContact, existing?.state === 'contact' ? readOnArrival : undefined);
    await logIgnoredRevisions(storage, logger, messages.filter((_, index) => results[index] === 'stored'));
    logger.debug('messages received', { peer: sender.address.slice(0, 12), count: messages.length });

    return results;
  } catch (error) {
    logger.error('storing incoming messages failed', { peer: sender.address.slice(0, 12), count: messages.length, error: String(error) });
    onError?.(error);

    return payloads.map(() => 'failed');
  }
}

/**
 * Turns a deletion of itself, which a sender sends for a message deleted before it went out
 * (see chatPayloadOf), into a deleted message that the chat shows in its place.
 */
function asDeletedMessage(message: MessageRecord): MessageRecord {
  if (message.revises?.action !== 'delete' || message.revises.target !== message.id) return message;

  const { revises: _revises, ...rest } = message;

  return { ...rest, text: '', deletedAt: message.sentAt };
}
