/**
 * Normalised words of a message text, stored in the multi-entry `words` index of the messages
 * table so that a search reads only the rows that contain its words.
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
