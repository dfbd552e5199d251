/**
 * Full-text search over the local history through the multi-entry `words` index. Each query
 * word reads only the ids of the messages that contain it. At most one page of matching rows is
 * loaded, the newest by the times that the index keys carry. Every word must match; the last one also matches as a prefix while the user is still
 * typing it.
 */

import type { MessageRecord } from '../../core/storage-port.ts';
import type { Collection, InsertType } from 'dexie';
import type { MeshtextDatabase } from '../../storage/database.ts';
import type { MessageRow } from '../../storage/message-words.ts';
import { KEY_SEPARATOR, searchWords, storedAtOfKey } from '../../storage/search-words.ts';

/** Results shown at most, newest first. */
export const MAX_SEARCH_RESULTS = 50;

export interface SearchResult {
  /** The query's words as folded for the index, for highlighting. */
  words: string[];
  /** Matching messages, newest first, at most MAX_SEARCH_RESULTS. */
  hits: MessageRecord[];
  /** Number of matching messages. */
  matchCount: number;
}

const TRAILING_SEPARATOR = /[\s\p{P}]$/u;

/** Searches every conversation's messages for `query`; an empty query finds nothing. */
export async function searchMessages(db: MeshtextDatabase, query: string): Promise<SearchResult> {
  const words = searchWords(query);
  if (words.length === 0) return { words, hits: [], matchCount: 0 };

  const isLastWordPartial = !TRAILING_SEPARATOR.test(query);
  const ranges = words.map((word, index) => rangeOf(db, word, index === words.length - 1 && isLastWordPartial));
  const idSets = await Promise.all(ranges.map(async (range) => new Set<string>(await range.primaryKeys())));
  const smallest = indexOfSmallest(idSets);
  const matchIds = [...(idSets[smallest] ?? [])].filter((id) => idSets.every((ids) => ids.has(id)));

  // A page of matches or less is read whole. More are first ordered by the times in the index keys.
  const pageIds = matchIds.length <= MAX_SEARCH_RESULTS ? matchIds : await newestIds(db, ranges[smallest]!, new Set(matchIds));
  const rows = (await db.messages.bulkGet(pageIds)).filter((row): row is MessageRecord => row !== undefined);
  rows.sort((a, b) => b.storedAt - a.storedAt);

  return { words, hits: rows, matchCount: matchIds.length };
}

type WordRange = Collection<MessageRow, string, InsertType<MessageRow, 'id'>>;

/** Returns the index range of one word, or of every word it begins when `isPrefix`. */
function rangeOf(db: MeshtextDatabase, word: string, isPrefix: boolean): WordRange {
  const lower = isPrefix ? word : word + KEY_SEPARATOR;

  return db.messages.where('words').between(lower, `${lower}\uffff`, true, true);
}

/**
 * Returns the ids of the newest MAX_SEARCH_RESULTS of `matchIds`, ordered by the times that
 * the index keys of `range` carry. Reading index keys walks a cursor, which costs more than the
 * bulk reads of primary keys, so only the smallest range is walked. Both reads share one
 * transaction, so their results line up entry by entry.
 */
async function newestIds(db: MeshtextDatabase, range: WordRange, matchIds: ReadonlySet<string>): Promise<string[]> {
  const [keys, ids] = await db.transaction('r', db.messages, () => Promise.all([range.keys(), range.primaryKeys()]));
  const times = new Map<string, number>();

  ids.forEach((id, index) => {
    if (matchIds.has(id)) times.set(id, storedAtOfKey(String(keys[index])));
  });

  return [...times]
    .sort((a, b) => b[1] - a[1])
    .slice(0, MAX_SEARCH_RESULTS)
    .map(([id]) => id);
}

function indexOfSmallest(sets: readonly Set<string>[]): number {
  let smallest = 0;
  sets.forEach((set, index) => {
    if (set.size < (sets[smallest]?.size ?? Infinity)) smallest = index;
  });

  return smallest;
}
