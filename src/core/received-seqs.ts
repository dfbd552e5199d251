/**
 * The receiver's own record of which sequence numbers of each sender install it has accepted in
 * a conversation. It covers stored chat messages and payloads that take a seq without a shown
 * chat row (revisions, control messages, rotation statements, broadcasts the user stopped). It
 * also keeps the messages the user later deleted for themself. Gap markers and catch-up marks
 * are computed from this record, so none of those leaves a false gap, and a message deleted for
 * me is not requested or stored again (unless a restored backup predates its arrival).
 *
 * Seqs are kept as sorted, disjoint, inclusive ranges, so an install numbered 1, 2, 3, … costs
 * one range however long the history grows.
 */

import type { SyncMark } from './messages.ts';
import { MAX_SEQS_ABOVE_MARK } from './messages.ts';

/** Inclusive range of seqs, `[first, last]`. */
export type SeqRange = readonly [number, number];

/** Seqs accepted from one sender install in one conversation. */
export interface ReceivedSeqs {
  conversation: string;
  sender: string;
  instance: string;
  /** Sorted by first seq, disjoint and not adjacent. */
  ranges: SeqRange[];
}

/** One accepted payload's place in its sender's numbering. */
export interface ReceivedSeq {
  instance: string;
  seq: number;
}

/** Returns `ranges` with `seqs` added, merged into sorted, disjoint, non-adjacent ranges. */
export function addSeqs(ranges: readonly SeqRange[], seqs: Iterable<number>): SeqRange[] {
  return addRanges(ranges, [...seqs].map((seq): SeqRange => [seq, seq]));
}

/** Returns the union of two lists of ranges, as sorted, disjoint, non-adjacent ranges. */
export function addRanges(ranges: readonly SeqRange[], more: readonly SeqRange[]): SeqRange[] {
  const all = [...ranges, ...more].map(([first, last]): [number, number] => [first, last]).sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];

  for (const [first, last] of all) {
    const previous = merged.at(-1);
    if (previous && first <= previous[1] + 1) previous[1] = Math.max(previous[1], last);
    else merged.push([first, last]);
  }

  return merged;
}

/** Tells whether `seq` lies in one of `ranges`. */
export function hasSeq(ranges: readonly SeqRange[], seq: number): boolean {
  return ranges.some(([first, last]) => seq >= first && seq <= last);
}

/**
 * Returns how many seqs are missing right before `seq`, which is the distance to the previous
 * range when `seq` starts a range. It is 0 inside a range and at the start of the first one,
 * because a restored install continues the numbering of the install it was restored from.
 */
export function missingBefore(ranges: readonly SeqRange[], seq: number): number {
  const index = ranges.findIndex(([first]) => first === seq);
  if (index <= 0) return 0;

  return seq - ranges[index - 1]![1] - 1;
}

/**
 * Converts received records to catch-up marks: `seq` is the end of a range starting at 1 (else
 * 0), and `above` lists the later seqs, at most MAX_SEQS_ABOVE_MARK of them. Seqs left out of
 * `above` count as missing, so the peer resends them and they are taken as duplicates.
 */
export function syncMarksOf(records: readonly Pick<ReceivedSeqs, 'instance' | 'ranges'>[]): SyncMark[] {
  return records.map(({ instance, ranges }) => {
    const [firstRange, ...rest] = ranges;
    const isContiguousFromOne = firstRange !== undefined && firstRange[0] === 1;
    const seq = isContiguousFromOne ? firstRange[1] : 0;
    const above: number[] = [];

    for (const [first, last] of isContiguousFromOne ? rest : ranges) {
      for (let held = first; held <= last && above.length < MAX_SEQS_ABOVE_MARK; held++) above.push(held);
    }

    return { instance, seq, above };
  });
}

/** Groups seqs by install, for `CoreStorage.recordReceived`. */
export function seqsByInstance(received: readonly ReceivedSeq[]): Map<string, number[]> {
  const byInstance = new Map<string, number[]>();
  for (const { instance, seq } of received) {
    const seqs = byInstance.get(instance) ?? [];
    seqs.push(seq);
    byInstance.set(instance, seqs);
  }

  return byInstance;
}
