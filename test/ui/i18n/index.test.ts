import { describe, expect, it } from 'vitest';
import { tCount } from '../../../src/ui/i18n/index.ts';

describe('tCount', () => {
  it.each([
    [0, '0 members'],
    [1, '1 member'],
    [2, '2 members'],
    [256, '256 members'],
  ])('names %i members', (count, expected) => {
    expect(tCount('groups.memberCountOne', 'groups.memberCount', count)).toBe(expected);
  });
});
