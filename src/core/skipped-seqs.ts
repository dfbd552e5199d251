/**
 * Seqs a sender took and will never send. They come from a queued control replaced by a newer
 * one, an own queued message deleted for me, a broadcast copy cancelled for a recipient who
 * opted out, or any other outbox entry cancelled before its receipt came. The sender finds them from its own
 * rows, at catch-up and after later sends on the same link, and sends them as a `skip` payload.
 * Without a link, envelopes carry them instead (skipped-before.ts). The receiver records them as
 * accepted without a row (received-seqs.ts), so no gap marker stays open and catch-up does not
 * ask for them again.
 */

import { FrameError } from './errors.ts';
import type { SyncMark } from './messages.ts';
import type { SeqRange } from './received-seqs.ts';
import { addSeqs } from './received-seqs.ts';
import type { CoreStorage, MessageRecord } from './storage-port.ts';

/** Ranges per skip payload. */
export const MAX_SKIP_RANGES = 64;
/** Seqs covered by one skip payload, so a receiver never expands a huge range. */
export const MAX_SKIPPED_SEQS = 512;
/** Own messages read per page while looking for skipped seqs. */
const SKIP_PAGE_SIZE = 256;
const INSTANCE_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

/** Seqs of the sender's own install `instance` that it will never send. */
export interface SkipPayload {
  t: 'skip';
  instance: string;
  /** Sorted, disjoint inclusive ranges, together at most MAX_SKIPPED_SEQS seqs. */
  ranges: SeqRange[];
}

/**
 * Validates a decoded `skip` payload.
 * @throws FrameError naming the first invalid field.
 */
export function validateSkip(record: Record<string, unknown>): SkipPayload {
  const { instance, ranges } = record;

  if (typeof instance !== 'string' || !INSTANCE_PATTERN.test(instance)) throw new FrameError('skip instance is invalid');

  return { t: 'skip', instance, ranges: validateSkipRanges(ranges, 'skip') };
}

/**
 * Validates a list of skipped seq ranges: 1 to MAX_SKIP_RANGES sorted, disjoint inclusive
 * ranges covering at most MAX_SKIPPED_SEQS seqs. `field` names the list in errors.
 * @throws FrameError naming the first invalid part.
 */
export function validateSkipRanges(ranges: unknown, field: string): SeqRange[] {
  if (!Array.isArray(ranges) || ranges.length === 0 || ranges.length > MAX_SKIP_RANGES) {
    throw new FrameError(`${field} ranges must be a list of 1 to ${MAX_SKIP_RANGES} ranges`);
  }

  const valid: SeqRange[] = [];
  let previousLast = 0;
  let total = 0;
  for (const range of ranges as unknown[]) {
    if (!Array.isArray(range) || range.length !== 2) throw new FrameError(`${field} range is not a [first, last] pair`);

    const [first, last] = range as unknown[];
    if (!isSeq(first) || !isSeq(last) || last < first) throw new FrameError(`${field} range bounds are invalid`);
    if (first <= previousLast) throw new FrameError(`${field} ranges are not sorted and disjoint`);

    total += last - first + 1;
    if (total > MAX_SKIPPED_SEQS) throw new FrameError(`${field} ranges cover more than ${MAX_SKIPPED_SEQS} seqs`);
    valid.push([first, last]);
    previousLast = last;
  }

  return valid;
}

function isSeq(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}

/**
 * Finds the seqs of the own install `instance` in a conversation that will never be sent, above
 * the peer's mark and below the highest own message still stored: seqs with no row left and
 * rows marked 'cancelled'. Seqs the mark lists as held are left out. Returns them as skip
 * payloads of at most MAX_SKIPPED_SEQS seqs each, and `checkedSeq`, the seq below the first
 * message still waiting (or the highest seq seen), from which a later walk can resume.
 * NOTE: a cancelled seq above every stored row of the install is found only once a later
 * message of that install is stored, which is also when it would first leave a gap.
 * With `maxPages`, the walk stops after that many pages of SKIP_PAGE_SIZE messages, and
 * `checkedSeq` is where the next walk resumes.
 */
export async function findSkipped(
  storage: CoreStorage,
  conversation: string,
  ownAddress: string,
  instance: string,
  mark: SyncMark | undefined,
  maxPages = Infinity,
): Promise<{ payloads: SkipPayload[]; checkedSeq: number }> {
  const held = new Set(mark?.above ?? []);
  const skipped: number[] = [];
  let afterSeq = mark?.seq ?? 0;
  let firstWaitingSeq: number | undefined;
  // A restored install continues the numbering of the one it was restored from, so when the
  // peer has stored nothing of it, the seqs below its first row were never taken here.
  let previousSeq = afterSeq > 0 || held.size > 0 ? afterSeq : undefined;

  for (let pages = 1; ; pages++) {
    const page = await storage.listFromInstance(conversation, ownAddress, instance, afterSeq, SKIP_PAGE_SIZE);
    for (const message of page) {
      collectSkipped(skipped, previousSeq ?? message.seq - 1, message, held);
      previousSeq = message.seq;
      if (firstWaitingSeq === undefined && (message.status === 'queued' || message.status === 'sent')) firstWaitingSeq = message.seq;
    }

    const last = page.at(-1);
    if (page.length < SKIP_PAGE_SIZE || !last || pages >= maxPages) break;
    afterSeq = last.seq;
  }

  return { payloads: toPayloads(instance, skipped), checkedSeq: firstWaitingSeq !== undefined ? firstWaitingSeq - 1 : (previousSeq ?? mark?.seq ?? 0) };
}

function collectSkipped(skipped: number[], previousSeq: number, message: MessageRecord, held: ReadonlySet<number>): void {
  for (let seq = previousSeq + 1; seq < message.seq; seq++) if (!held.has(seq)) skipped.push(seq);
  if (message.status === 'cancelled' && !held.has(message.seq)) skipped.push(message.seq);
}

function toPayloads(instance: string, seqs: number[]): SkipPayload[] {
  const payloads: SkipPayload[] = [];

  for (let start = 0; start < seqs.length; start += MAX_SKIPPED_SEQS) {
    const ranges = addSeqs([], seqs.slice(start, start + MAX_SKIPPED_SEQS));
    for (let from = 0; from < ranges.length; from += MAX_SKIP_RANGES) {
      payloads.push({ t: 'skip', instance, ranges: ranges.slice(from, from + MAX_SKIP_RANGES) });
    }
  }

  return payloads;
}

/** Expands a validated skip payload into the seqs to record as received. */
export function skippedSeqsOf(payload: SkipPayload): { instance: string; seq: number }[] {
  return payload.ranges.flatMap(([first, last]) => Array.from({ length: last - first + 1 }, (_, index) => ({ instance: payload.instance, seq: first + index })));
}
