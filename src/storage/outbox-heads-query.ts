/** The read behind the connected tab's outbox watch. */

import Dexie from 'dexie';
import type { OutboxHead } from '../core/outbox-heads.ts';
import type { MeshtextDatabase } from './database.ts';

/**
 * Lists the highest outbox seq of each conversation, with one read per conversation, each
 * jumping below the entries of the one after it. A Dexie live query of it reruns whenever the
 * outbox changes.
 */
export async function listOutboxHeads(db: MeshtextDatabase): Promise<OutboxHead[]> {
  const heads: OutboxHead[] = [];
  const index = db.outbox.where('[conversation+seq]');

  for (let entry = await db.outbox.orderBy('[conversation+seq]').last(); entry; ) {
    heads.push({ conversation: entry.conversation, seq: entry.seq });
    entry = await index.below([entry.conversation, Dexie.minKey]).last();
  }

  return heads;
}
