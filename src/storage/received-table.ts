/**
 * The `received` table of schema version 10: per (conversation, sender, install), the seqs this
 * device has accepted (see core/received-seqs.ts). Rows are written with the messages they
 * describe, and filled from the stored messages when the table is created or a backup restored.
 */

import type { Table } from 'dexie';
import type { ReceivedSeqs } from '../core/received-seqs.ts';
import { addSeqs } from '../core/received-seqs.ts';

export type ReceivedTable = Table<ReceivedSeqs, [string, string, string]>;

/** Adds `seqs` of one sender install to its row, creating the row when there is none. */
export async function addReceived(received: ReceivedTable, conversation: string, sender: string, instance: string, seqs: number[]): Promise<void> {
  if (seqs.length === 0) return;

  const existing = await received.get([conversation, sender, instance]);
  await received.put({ conversation, sender, instance, ranges: addSeqs(existing?.ranges ?? [], seqs) });
}

/** Lists the rows of one conversation, or of one sender in it. */
export function listReceived(received: ReceivedTable, conversation: string, sender?: string): Promise<ReceivedSeqs[]> {
  // Addresses and instance ids are ASCII, so '' and U+FFFF bound them.
  return received
    .where('[conversation+sender+instance]')
    .between([conversation, sender ?? '', ''], [conversation, sender ?? '\uffff', '\uffff'], true, true)
    .toArray();
}

/**
 * Adds the seqs of every stored incoming message to `received`, reading only the keys of the
 * `[conversation+sender+instance+seq]` index. Messages sent by `ownAddress` are skipped,
 * because the record is about what this device received.
 */
export async function addStoredMessagesToReceived(
  messages: Pick<Table, 'orderBy'>,
  received: ReceivedTable,
  ownAddress: string | undefined,
): Promise<void> {
  const seqsBySource = new Map<string, { conversation: string; sender: string; instance: string; seqs: number[] }>();

  await messages.orderBy('[conversation+sender+instance+seq]').eachKey((key) => {
    const [conversation, sender, instance, seq] = key as unknown as [string, string, string, number];
    if (sender === ownAddress) return;

    const sourceKey = `${conversation}\0${sender}\0${instance}`;
    const source = seqsBySource.get(sourceKey) ?? { conversation, sender, instance, seqs: [] };
    source.seqs.push(seq);
    seqsBySource.set(sourceKey, source);
  });

  for (const { conversation, sender, instance, seqs } of seqsBySource.values()) {
    await addReceived(received, conversation, sender, instance, seqs);
  }
}
