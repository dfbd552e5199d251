/**
 * Finding which incoming messages of a batch are stored already. A batch from one sender
 * install usually carries consecutive sequence numbers, so one range read per install replaces
 * a lookup per message. Dexie's `anyOf` steps a cursor once per key, and each step is a round
 * trip to IndexedDB.
 */

import type { MessageRecord } from '../core/storage-port.ts';
import type { MeshtextDatabase } from './database.ts';

/**
 * A range read covers at most this many sequence numbers per message it looks for. A sparser
 * batch (a late message far behind the others, say) looks its messages up one by one instead.
 */
const MAX_RANGE_SPAN_PER_MESSAGE = 4;

/** Returns the key that identifies a message across resends: conversation, sender install and seq. */
export function dedupeKey(message: Pick<MessageRecord, 'conversation' | 'sender' | 'instance' | 'seq'>): string {
  return JSON.stringify([message.conversation, message.sender, message.instance, message.seq]);
}

interface SourceRange {
  first: MessageRecord;
  lowestSeq: number;
  highestSeq: number;
  count: number;
}

/**
 * Returns the dedupe keys of those `messages` that are stored already. Call it inside the
 * transaction that stores them, so no other write comes between.
 */
export async function findStoredKeys(db: MeshtextDatabase, messages: MessageRecord[]): Promise<Set<string>> {
  const ranges = new Map<string, SourceRange>();
  for (const message of messages) {
    const source = JSON.stringify([message.conversation, message.sender, message.instance]);
    const range = ranges.get(source);
    if (range) {
      range.lowestSeq = Math.min(range.lowestSeq, message.seq);
      range.highestSeq = Math.max(range.highestSeq, message.seq);
      range.count += 1;
    } else {
      ranges.set(source, { first: message, lowestSeq: message.seq, highestSeq: message.seq, count: 1 });
    }
  }

  const stored = new Set<string>();
  const index = db.messages.where('[conversation+sender+instance+seq]');
  for (const { first, lowestSeq, highestSeq, count } of ranges.values()) {
    const { conversation, sender, instance } = first;
    const isDense = highestSeq - lowestSeq + 1 <= count * MAX_RANGE_SPAN_PER_MESSAGE;
    const rows = isDense
      ? await index.between([conversation, sender, instance, lowestSeq], [conversation, sender, instance, highestSeq], true, true).toArray()
      : await index.anyOf(messages.filter((message) => message.sender === sender && message.instance === instance && message.conversation === conversation).map((message) => [conversation, sender, instance, message.seq])).toArray();
    for (const row of rows) stored.add(dedupeKey(row));
  }

  return stored;
}
