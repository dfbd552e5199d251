/**
 * Gaps in a conversation: messages a sender numbered but this device has not received yet. A
 * later message never waits for an earlier one; it shows at once, after a gap marker, and the
 * late message takes its place in display order when it arrives (see CoreStorage.storeIncoming).
 *
 * Gaps come from the receiver's record of accepted seqs (received-seqs.ts), not from the rows
 * it shows. Revisions, control messages and dropped broadcasts take a seq without a chat row,
 * and a message deleted for me leaves no row. None of them is missing. A seq the sender cancelled
 * before sending arrives in a `skip` payload over a direct link (skipped-seqs.ts), or in the
 * `skipped` field of the next message sealed into a mailbox or carrier envelope
 * (skipped-before.ts), and then counts.
 */

import type { ReceivedSeqs } from './received-seqs.ts';
import { missingBefore } from './received-seqs.ts';
import type { MessageRecord } from './storage-port.ts';

/**
 * Returns, for each incoming message that follows seqs of the same sender install never
 * received, the number of seqs missing right before it, keyed by message id. The first seq
 * received from an install gets no marker, because a restored install continues the numbering
 * of the install it was restored from, so its first message may have any seq. A message whose
 * install has no record gets none either.
 */
export function findGaps(messages: readonly MessageRecord[], received: readonly ReceivedSeqs[]): Map<string, number> {
  const rangesBySource = new Map(received.map((record) => [sourceKey(record), record.ranges]));
  const gaps = new Map<string, number>();

  for (const message of messages) {
    if (message.direction !== 'in') continue;

    const missing = missingBefore(rangesBySource.get(sourceKey(message)) ?? [], message.seq);
    if (missing > 0) gaps.set(message.id, missing);
  }

  return gaps;
}

function sourceKey({ conversation, sender, instance }: Pick<MessageRecord, 'conversation' | 'sender' | 'instance'>): string {
  return JSON.stringify([conversation, sender, instance]);
}
