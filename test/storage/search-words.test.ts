import { describe, expect, it } from 'vitest';
import { MAX_WORD_LENGTH, MAX_WORDS_PER_MESSAGE, foldText, searchWords } from '../../src/storage/search-words.ts';

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
