/**
 * Skipped seqs inside sealed envelopes. A `skip` payload (skipped-seqs.ts) needs a direct link,
 * so a receiver reached only through the mailbox or a carrier would keep a gap marker for seqs
 * the sender cancelled. Instead, a `msg` sealed into an envelope names in its `skipped` field the
 * seqs of its own install right below its seq that the sender will never send. A gap made only
 * of cancelled seqs always ends right below a later message, so that message's envelope closes it.
 * The envelope authenticates the sender, so the receiver records the seqs under that address.
 */

import { FrameError } from './errors.ts';
import type { ChatPayload } from './messages.ts';
import type { SeqRange } from './received-seqs.ts';
import { MAX_SKIPPED_SEQS, skippedSeqsOf, validateSkipRanges } from './skipped-seqs.ts';
import type { CoreStorage, MessageRecord } from './storage-port.ts';

/** Seqs read first below a message, because most messages follow one that still goes out. */
const NEAR_WINDOW_SEQS = 8;

/**
 * Finds the seqs of `message`'s install right below it that will never be sent: those with no
 * row left or a row marked 'cancelled', down to the highest row that still goes out. Looks at
 * most MAX_SKIPPED_SEQS seqs down. When no row in that window still goes out, the run starts at
 * the lowest row in the window, because seqs below every stored row of an install may belong
 * to the install it was restored from. Returns at most one range.
 */
export async function findSkippedBefore(storage: CoreStorage, message: MessageRecord): Promise<SeqRange[]> {
  if (message.seq <= 1) return [];

  for (const windowSeqs of [NEAR_WINDOW_SEQS, MAX_SKIPPED_SEQS]) {
    const from = Math.max(1, message.seq - windowSeqs);
    const rows = await storage.listFromInstance(message.conversation, message.sender, message.instance, from - 1, message.seq - from);
    const below = rows.filter((row) => row.seq < message.seq);
    const bound = below.filter((row) => row.status !== 'cancelled').at(-1);

    if (bound) return bound.seq + 1 < message.seq ? [[bound.seq + 1, message.seq - 1]] : [];
    if (from === 1 || windowSeqs === MAX_SKIPPED_SEQS) {
      const lowest = below[0];

      return lowest ? [[lowest.seq, message.seq - 1]] : [];
    }
  }

  return [];
}

/** Returns the payload to seal for `message`, with the seqs skipped right below it. */
export async function withSkippedBefore(storage: CoreStorage, message: MessageRecord, payload: ChatPayload): Promise<ChatPayload> {
  const skipped = await findSkippedBefore(storage, message);

  return skipped.length > 0 ? { ...payload, skipped } : payload;
}

/**
 * Validates the `skipped` field of a `msg` payload: ranges as in a `skip` payload, all below
 * the message's own seq.
 * @throws FrameError naming the first invalid part.
 */
export function validateSkippedBefore(value: unknown, seq: number): SeqRange[] {
  const ranges = validateSkipRanges(value, 'message skipped');
  if (ranges.at(-1)![1] >= seq) throw new FrameError('message skipped seqs do not lie below its seq');

  return ranges;
}

/**
 * Records the seqs a message from an envelope names as skipped as received from `sender`, the
 * address the envelope authenticated.
 * @throws the storage error of a failed write.
 */
export async function recordSkippedBefore(storage: CoreStorage, sender: string, payload: ChatPayload): Promise<void> {
  if (!payload.skipped) return;

  await storage.recordReceived(sender, sender, skippedSeqsOf({ t: 'skip', instance: payload.instance, ranges: payload.skipped }));
}
