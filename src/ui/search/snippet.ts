/** Short excerpts of a message text around the first searched word, for search results. */

import { foldText } from '../../storage/search-words.ts';

/** Characters shown before the first match at most. */
const LEAD_CHARACTERS = 30;
/** Length of a snippet at most, ellipses excluded. */
export const SNIPPET_CHARACTERS = 120;

/** A piece of a snippet; `isMatch` marks the text of a searched word. */
export interface SnippetPart {
  text: string;
  isMatch: boolean;
}

/**
 * Cuts `text` to about SNIPPET_CHARACTERS around the first occurrence of any of `words` (folded
 * as the search index folds them) and splits it into matching and other parts. A text whose
 * folded form has another length than the original (a ligature such as "ﬁ") is shown from its
 * start without marks, because folded positions would not map back onto it.
 */
export function buildSnippet(text: string, words: readonly string[]): SnippetPart[] {
  const flat = text.replace(/\s+/g, ' ').trim();
  const folded = foldText(flat);
  const isAligned = folded.length === flat.length;
  const firstMatch = isAligned ? Math.min(...words.map((word) => folded.indexOf(word)).filter((index) => index >= 0)) : Infinity;
  const matchAt = Number.isFinite(firstMatch) ? firstMatch : 0;
  const start = nextWordStart(flat, Math.max(0, matchAt - LEAD_CHARACTERS), matchAt);
  const end = previousWordEnd(flat, Math.min(flat.length, start + SNIPPET_CHARACTERS), matchAt);
  const parts: SnippetPart[] = [];

  if (start > 0) parts.push({ text: '…', isMatch: false });
  parts.push(...markWords(flat.slice(start, end), isAligned ? folded.slice(start, end) : '', words));
  if (end < flat.length) parts.push({ text: '…', isMatch: false });

  return parts;
}

/** Moves a cut at `index` forward to the start of the next word, unless that passes `limit`. */
function nextWordStart(text: string, index: number, limit: number): number {
  if (index === 0 || text[index - 1] === ' ') return index;

  const space = text.indexOf(' ', index);
  return space >= 0 && space < limit ? space + 1 : index;
}

/** Moves a cut at `index` back to the end of the previous word, unless that reaches `limit`. */
function previousWordEnd(text: string, index: number, limit: number): number {
  if (index === text.length || text[index] === ' ') return index;

  const space = text.lastIndexOf(' ', index);
  return space > limit ? space : index;
}

function markWords(shown: string, folded: string, words: readonly string[]): SnippetPart[] {
  const parts: SnippetPart[] = [];
  let position = 0;

  while (position < shown.length) {
    const next = nextMatch(folded, words, position);
    if (!next) break;

    if (next.index > position) parts.push({ text: shown.slice(position, next.index), isMatch: false });
    parts.push({ text: shown.slice(next.index, next.index + next.length), isMatch: true });
    position = next.index + next.length;
  }
  if (position < shown.length) parts.push({ text: shown.slice(position), isMatch: false });

  return parts;
}

function nextMatch(folded: string, words: readonly string[], from: number): { index: number; length: number } | undefined {
  let best: { index: number; length: number } | undefined;

  for (const word of words) {
    const index = folded.indexOf(word, from);
    if (index >= 0 && word.length > 0 && (!best || index < best.index)) best = { index, length: word.length };
  }

  return best;
}
