/**
 * Normalised words of a message text, stored in the multi-entry `words` index of the messages
 * table so that a search reads only the rows that contain its words. Each index entry is the
 * word, a NUL and the message's storedAt in fixed-width base 36 (`searchKey`), so the keys of a
 * word's range already carry the times that order the results, and no row is read to sort.
 *
 * A word is what `Intl.Segmenter` (granularity "word") marks as word-like, so scripts written
 * without spaces, such as Chinese or Japanese, split into words as well. Each word is folded:
 * NFKD, combining marks removed, lowercased. "Café" and "CAFE" then both index as "cafe".
 */

/** Longest stored word, in UTF-16 code units; a longer word is stored cut to this prefix. */
export const MAX_WORD_LENGTH = 32;
/** Most distinct words stored for one message; the rest of a very long text is not indexed. */
export const MAX_WORDS_PER_MESSAGE = 256;

const COMBINING_MARKS = /\p{M}+/gu;
const WORD_CHARACTERS = /[\p{L}\p{N}]/u;

/** Separates the word from the time in an index key; it sorts before every word character. */
export const KEY_SEPARATOR = '\u0000';
/** Base-36 digits of the time in a key, enough for every safe integer (36^11 > 2^53). */
const TIME_DIGITS = 11;

let segmenter: Intl.Segmenter | undefined;

/** Folds a word or query for comparison: NFKD, combining marks removed, lowercased. */
export function foldText(text: string): string {
  return text.normalize('NFKD').replace(COMBINING_MARKS, '').toLowerCase();
}

/**
 * Splits a text into its distinct folded words, in order of first appearance, at most
 * MAX_WORDS_PER_MESSAGE of them, each cut to MAX_WORD_LENGTH.
 */
export function searchWords(text: string): string[] {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'word' });
  const words = new Set<string>();

  for (const segment of segmenter.segment(foldText(text))) {
    if (segment.isWordLike === false || !WORD_CHARACTERS.test(segment.segment)) continue;

    words.add(segment.segment.slice(0, MAX_WORD_LENGTH));
    if (words.size >= MAX_WORDS_PER_MESSAGE) break;
  }

  return [...words];
}

/** Returns the index key of a folded word in a message stored at `storedAt` (clamped to 0 and above). */
export function searchKey(word: string, storedAt: number): string {
  const time = Math.max(0, Math.floor(storedAt)).toString(36).padStart(TIME_DIGITS, '0');

  return `${word}${KEY_SEPARATOR}${time}`;
}

/** Returns the storedAt carried in an index key made by `searchKey`. */
export function storedAtOfKey(key: string): number {
  return parseInt(key.slice(key.lastIndexOf(KEY_SEPARATOR) + 1), 36);
}

/** Returns the index keys of a message: one per distinct word of its text. */
export function searchKeys(text: string, storedAt: number): string[] {
  return searchWords(text).map((word) => searchKey(word, storedAt));
}
