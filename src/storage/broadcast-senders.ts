/**
 * Backfill of `lastBroadcastReceivedAt` for databases from before schema version 13: each
 * contact with a stored incoming broadcast copy gets the display time of the latest one, as
 * storing that copy today would have set it.
 */

import type { Table } from 'dexie';
import type { ContactRecord, MessageRecord } from '../core/storage-port.ts';

/** Sets `lastBroadcastReceivedAt` on every contact that has an incoming broadcast copy in `messages`. */
export async function markBroadcastSenders(messages: Pick<Table, 'filter'>, contacts: Pick<Table, 'where'>): Promise<void> {
  const latestByContact = new Map<string, number>();

  await messages
    .filter((message: MessageRecord) => message.direction === 'in' && message.isBroadcast === true)
    .each((message: MessageRecord) => {
      latestByContact.set(message.conversation, Math.max(latestByContact.get(message.conversation) ?? 0, message.storedAt));
    });

  for (const [address, latest] of latestByContact) {
    await contacts
      .where('address')
      .equals(address)
      .modify((contact: ContactRecord) => {
        contact.lastBroadcastReceivedAt = Math.max(contact.lastBroadcastReceivedAt ?? 0, latest);
      });
  }
}
