/**
 * Gaps in a conversation: messages a sender numbered but this device has not stored yet. A
 * later message never waits for an earlier one; it shows at once, after a gap marker, and the
 * late message takes its place in display order when it arrives (see CoreStorage.storeIncoming).
 * NOTE: control messages (organiser/control-messages.ts) take seqs in the conversation, but the
 * receiver applies them without storing them, so the next chat message after one shows a gap
 * marker that never closes. Broadcast copies dropped unstored after the user stopped a contact's
 * broadcasts do the same.
 */

import type { MessageRecord } from './storage-port.ts';

/**
 * Returns, for each incoming message that follows missing ones of the same sender install,
 * the number of messages missing right before it, keyed by message id. The first stored
 * message of an install gets no marker, because a restored install continues the numbering of
 * the install it was restored from, so its first message may have any seq.
 */
export function findGaps(messages: readonly MessageRecord[]): Map<string, number> {
  const seqsBySource = new Map<string, number[]>();
  for (const message of messages) {
    if (message.direction !== 'in') continue;

    const key = sourceKey(message);
    const seqs = seqsBySource.get(key) ?? [];
    seqs.push(message.seq);
    seqsBySource.set(key, seqs);
  }

  const previousSeq = new Map<string, number>();
  for (const [key, seqs] of seqsBySource) {
    const sorted = [...new Set(seqs)].sort((a, b) => a - b);
    sorted.forEach((seq, index) => previousSeq.set(`${key}\0${seq}`, index === 0 ? seq - 1 : sorted[index - 1]!));
  }

  const gaps = new Map<string, number>();
  for (const message of messages) {
    if (message.direction !== 'in') continue;

    const missing = message.seq - (previousSeq.get(`${sourceKey(message)}\0${message.seq}`) ?? 0) - 1;
    if (missing > 0) gaps.set(message.id, missing);
  }

  return gaps;
}

function sourceKey(message: MessageRecord): string {
  return `${message.sender}\0${message.instance}`;
}
