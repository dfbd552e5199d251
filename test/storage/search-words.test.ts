import { describe, expect, it } from 'vitest';
import { MAX_WORD_LENGTH, MAX_WORDS_PER_MESSAGE, foldText, searchKey, searchKeys, searchWords, storedAtOfKey } from '../../src/storage/search-words.ts';

describe('searchWords', () => {
  it('folds case and accents', () => {
    expect(searchWords('Café CAFE naïve')).toEqual(['cafe', 'naive']);
  });

  it('drops punctuation and white space', () => {
    expect(searchWords('  Hello, world!!  -- ok?')).toEqual(['hello', 'world', 'ok']);
  });

  it('splits text written without spaces', () => {
    expect(searchWords('你好世界')).toEqual(['你好', '世界']);
  });

  it('keeps numbers as words', () => {
    expect(searchWords('room 42, floor 3')).toEqual(['room', '42', 'floor', '3']);
  });

  it('returns nothing for text without words', () => {
    expect(searchWords('')).toEqual([]);
    expect(searchWords(' ,.;!? ')).toEqual([]);
    expect(searchWords('🙂🙂')).toEqual([]);
  });

  it('cuts long words and caps the count', () => {
    const long = 'a'.repeat(MAX_WORD_LENGTH + 10);
    const many = Array.from({ length: MAX_WORDS_PER_MESSAGE + 20 }, (_, index) => `w${index}`).join(' ');

    expect(searchWords(long)).toEqual(['a'.repeat(MAX_WORD_LENGTH)]);
    expect(searchWords(many)).toHaveLength(MAX_WORDS_PER_MESSAGE);
  });

  it('folds compatibility forms', () => {
    expect(foldText('ＡＢＣ ﬁne')).toBe('abc fine');
  });
});

describe('searchKey', () => {
  it('carries the time and sorts by word, then time', () => {
    const keys = [searchKey('cats', 5), searchKey('cat', 1_733_000_000_000), searchKey('cat', 99)];

    expect(storedAtOfKey(keys[1]!)).toBe(1_733_000_000_000);
    expect(storedAtOfKey(searchKey('x', Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    expect([...keys].sort()).toEqual([keys[2], keys[1], keys[0]]);
  });

  it('clamps times below zero', () => {
    expect(storedAtOfKey(searchKey('cat', -5))).toBe(0);
  });

  it('makes one key per distinct word', () => {
    expect(searchKeys('Cat cat dog', 7)).toEqual([searchKey('cat', 7), searchKey('dog', 7)]);
  });
});
