import { describe, expect, it } from 'vitest';
import { MAX_SEQS_ABOVE_MARK } from '../../src/core/messages.ts';
import { addRanges, addSeqs, hasSeq, missingBefore, syncMarksOf } from '../../src/core/received-seqs.ts';

describe('received seqs', () => {
  it('merges seqs into ranges', () => {
    expect(addSeqs([], [3, 1, 2, 7, 5, 6])).toEqual([
      [1, 3],
      [5, 7],
    ]);
  });

  it('joins ranges that touch', () => {
    expect(addRanges([[1, 3]], [[4, 9]])).toEqual([[1, 9]]);
    expect(addRanges([[5, 9]], [[1, 3]])).toEqual([
      [1, 3],
      [5, 9],
    ]);
  });

  it('adds a seq already held without change', () => {
    expect(addSeqs([[1, 4]], [2])).toEqual([[1, 4]]);
  });

  it('finds seqs inside ranges only', () => {
    const ranges = addSeqs([], [1, 2, 5]);

    expect(hasSeq(ranges, 2)).toBe(true);
    expect(hasSeq(ranges, 3)).toBe(false);
    expect(hasSeq(ranges, 5)).toBe(true);
  });

  it('counts seqs missing before a range start', () => {
    const ranges = addSeqs([], [1, 2, 6, 7]);

    expect(missingBefore(ranges, 6)).toBe(3);
    expect(missingBefore(ranges, 7)).toBe(0);
    expect(missingBefore(ranges, 1)).toBe(0);
  });

  it('counts nothing before an install that starts above 1', () => {
    expect(missingBefore(addSeqs([], [40, 41]), 40)).toBe(0);
  });

  it('turns ranges into sync marks', () => {
    expect(syncMarksOf([{ instance: 'instance-a', ranges: addSeqs([], [1, 2, 3, 6, 8]) }])).toEqual([{ instance: 'instance-a', seq: 3, above: [6, 8] }]);
    expect(syncMarksOf([{ instance: 'instance-b', ranges: addSeqs([], [4, 5]) }])).toEqual([{ instance: 'instance-b', seq: 0, above: [4, 5] }]);
  });

  it('caps the seqs listed above a mark', () => {
    const [mark] = syncMarksOf([{ instance: 'instance-a', ranges: [[10, 10 + MAX_SEQS_ABOVE_MARK * 2]] }]);

    expect(mark?.seq).toBe(0);
    expect(mark?.above).toHaveLength(MAX_SEQS_ABOVE_MARK);
    expect(mark?.above[0]).toBe(10);
  });
});
