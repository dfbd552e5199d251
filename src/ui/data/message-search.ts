/**
 * Full-text search over the local history through the multi-entry `words` index: each query
 * word reads only the keys of the messages that contain it, and only the matching rows are
 * loaded. Every word must match; the last one also matches as a prefix while the user is still
 * typing it.
 */

import type { Collection } from 'dexie';
import type { MessageRecord } from '../../core/storage-port.ts';
import type { MeshtextDatabase } from '../../storage/database.ts';
import { searchWords } from '../../storage/search-words.ts';

/** Results shown at most, newest first. */
export const MAX_SEARCH_RESULTS = 50;
/**
 * Matches loaded at most to sort them by time. Beyond it the hits are an arbitrary selection
 * of the matches, and the result says so.
 */
export const MAX_SORTED_MATCHES = 5_000;

export interface SearchResult {
  /** The query's words as folded for the index, for highlighting. */
  words: string[];
  /** Matching messages, newest first, at most MAX_SEARCH_RESULTS. */
  hits: MessageRecord[];
  /** Number of matching messages. */
  matchCount: number;
  /** True when there were more than MAX_SORTED_MATCHES matches, so the hits are not the newest. */
  isUnsorted: boolean;
}

const TRAILING_SEPARATOR = /[\s\p{P}]$/u;

/** Searches every conversation's messages for `query`; an empty query finds nothing. */
export async function searchMessages(db: MeshtextDatabase, query: string): Promise<SearchResult> {
  const words = searchWords(query);
  if (words.length === 0) return { words, hits: [], matchCount: 0, isUnsorted: false };

  const isLastWordPartial = !TRAILING_SEPARATOR.test(query);
  const wordQueries = words.map((word, index) => {
    const clause = db.messages.where('words');

    return index === words.length - 1 && isLastWordPartial ? clause.startsWith(word) : clause.equals(word);
  });
  const keySets = await Promise.all(wordQueries.map(async (matches) => new Set(await matches.primaryKeys())));
  const matchIds = new Set(intersect(keySets));
  const isUnsorted = matchIds.size > MAX_SORTED_MATCHES;
  const rows = isUnsorted
    ? await readRows(db, [...matchIds].slice(0, MAX_SEARCH_RESULTS))
    : await readMatchingRows(wordQueries[indexOfSmallest(keySets)]!, matchIds);

  rows.sort((a, b) => b.storedAt - a.storedAt);

  return { words, hits: rows.slice(0, MAX_SEARCH_RESULTS), matchCount: matchIds.size, isUnsorted };
}

async function readRows(db: MeshtextDatabase, ids: string[]): Promise<MessageRecord[]> {
  return (await db.messages.bulkGet(ids)).filter((row): row is MessageRecord => row !== undefined);
}

/**
 * Reads the rows of one word's index range in a single request, which costs far less than a
 * lookup per key, and keeps those in `matchIds`, once each (a prefix can match several words
 * of one message).
 */
async function readMatchingRows(wordQuery: Pick<Collection<MessageRecord>, 'toArray'>, matchIds: ReadonlySet<string>): Promise<MessageRecord[]> {
  const seen = new Set<string>();

  return (await wordQuery.toArray()).filter((row) => {
    if (!matchIds.has(row.id) || seen.has(row.id)) return false;

    seen.add(row.id);
    return true;
  });
}

function indexOfSmallest(sets: readonly Set<string>[]): number {
  let smallest = 0;
  sets.forEach((set, index) => {
    if (set.size < (sets[smallest]?.size ?? Infinity)) smallest = index;
  });

  return smallest;
}

/** Returns the keys present in every set, walking the smallest one. */
function intersect(sets: Set<string>[]): string[] {
  const [smallest, ...others] = [...sets].sort((a, b) => a.size - b.size);
  if (!smallest) return [];

  return [...smallest].filter((key) => others.every((set) => set.has(key)));
}
