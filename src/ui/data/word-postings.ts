/**
 * Newest-first reads of the `*words` index of one table (see search-words.ts). The keys of one
 * word are the word, a NUL and the storedAt of each message that contains it, so a reverse
 * cursor over one word's keys meets its messages newest first and stops after the few it needs.
 * A prefix covers several words, whose key ranges follow one another; their newest entries are
 * merged by time.
 */

import type { IndexableType, Table } from 'dexie';
import { KEY_SEPARATOR, searchKey, storedAtOfKey } from '../../storage/search-words.ts';

/** Entries read at least from each list per step. */
const MIN_READ_PER_LIST = 8;

/** Most distinct words a prefix is expanded to; the words after them in sort order are not searched. */
export const MAX_PREFIX_WORDS = 200;

/** A table with a `*words` index, as the search reads it. */
export type WordsTable = Table<{ words?: string[] }, IndexableType, unknown>;

/** One index entry: a message that contains the word, with the storedAt its key carries. */
export interface Posting {
  table: WordsTable;
  primaryKey: IndexableType;
  storedAt: number;
}

/**
 * Position in one word's entries: `before` is the newest storedAt not read yet (included) and
 * `skip` the entries at exactly that time already read, so that messages stored in the same
 * millisecond are neither lost nor read twice.
 */
interface ListState {
  table: WordsTable;
  word: string;
  before: number;
  skip: number;
  isDone: boolean;
}

/** A newest-first stream of the messages that contain any of several words, over several tables. */
export class PostingStream {
  readonly #lists: ListState[];

  private constructor(lists: ListState[]) {
    this.#lists = lists;
  }

  /** Opens the stream of a term in each table: the whole word, or every word the prefix begins. */
  static async open(tables: readonly WordsTable[], term: SearchTerm): Promise<PostingStream> {
    const lists: ListState[] = [];

    for (const table of tables) {
      // One transaction for all the lookups, which each cost a transaction of their own otherwise.
      const words = term.isPrefix ? await table.db.transaction('r', table, () => wordsWithPrefix(table, term.word)) : [term.word];
      for (const word of words) lists.push({ table, word, before: Number.MAX_SAFE_INTEGER, skip: 0, isDone: false });
    }

    return new PostingStream(lists);
  }

  get isDone(): boolean {
    return this.#lists.every((list) => list.isDone);
  }

  /**
   * Reads up to `count` more entries, newest first. Every entry of every list newer than the
   * last one returned has been returned, by this or an earlier call. A message that contains
   * several of the words comes once per word.
   */
  async next(count: number): Promise<Posting[]> {
    const open = this.#lists.filter((list) => !list.isDone);
    // Many lists share the page, so each reads a share of it; the floor below keeps the merge exact however small.
    const readSize = Math.max(MIN_READ_PER_LIST, Math.min(count, Math.ceil((2 * count) / Math.max(1, open.length))));
    const tables = [...new Set(open.map((list) => list.table))];
    const db = tables[0]?.db;
    const readAll = (): Promise<Posting[][]> => Promise.all(open.map((list) => readNewest(list, readSize)));
    // One transaction for all the reads, which each cost a transaction of their own otherwise.
    const batches = db ? await db.transaction('r', tables, readAll) : [];

    // Entries older than the oldest entry of a full batch may still miss newer ones from its list.
    let floor = Number.NEGATIVE_INFINITY;
    for (const batch of batches) {
      if (batch.length === readSize) floor = Math.max(floor, batch.at(-1)?.storedAt ?? floor);
    }
    // When every entry sits at or below the floor, those at it are taken, so that a long run of equal times still moves on.
    const isAllAtFloor = batches.every((batch) => batch.every((posting) => posting.storedAt <= floor));
    const candidates = batches
      .flatMap((batch, index) => batch.map((posting) => ({ posting, list: index })))
      .filter(({ posting }) => (isAllAtFloor ? posting.storedAt >= floor : posting.storedAt > floor));
    // A stable sort keeps each list's entries in its own order, so the entries taken from a list are the first of its batch.
    const taken = candidates.sort((a, b) => b.posting.storedAt - a.posting.storedAt).slice(0, count);

    open.forEach((list, index) => {
      const fromList = taken.filter((entry) => entry.list === index).map((entry) => entry.posting);
      const batch = batches[index] ?? [];
      advance(list, fromList, batch.length < readSize && fromList.length === batch.length);
    });

    return taken.map((entry) => entry.posting);
  }
}

/** A query word as the index reads it: a whole word, or the prefix of every word it begins. */
export interface SearchTerm {
  word: string;
  isPrefix: boolean;
}

/** Returns the index range of a term in one table. */
function rangeOf(table: WordsTable, term: SearchTerm) {
  const lower = term.isPrefix ? term.word : term.word + KEY_SEPARATOR;

  return table.where('words').between(lower, `${lower}\uffff`, true, true);
}

/** Counts the index entries of a term in all tables; IndexedDB counts a range without reading it. */
export async function countEntries(tables: readonly WordsTable[], term: SearchTerm): Promise<number> {
  const counts = await Promise.all(tables.map((table) => rangeOf(table, term).count()));

  return counts.reduce((sum, count) => sum + count, 0);
}

/** Reads every entry of a term in all tables with its time, through one key cursor per table. */
export async function readAllPostings(tables: readonly WordsTable[], term: SearchTerm): Promise<Posting[]> {
  const postings: Posting[] = [];

  for (const table of tables) {
    await rangeOf(table, term).eachKey((key, cursor) => {
      postings.push({ table, primaryKey: cursor.primaryKey, storedAt: storedAtOfKey(String(key)) });
    });
  }

  return postings;
}

/**
 * Reads the primary keys of the messages that contain a whole word, per table. IndexedDB returns
 * them in index order, so, since each key carries the message's time, oldest first.
 */
export function readWordKeys(tables: readonly WordsTable[], word: string): Promise<IndexableType[][]> {
  return Promise.all(tables.map((table) => rangeOf(table, { word, isPrefix: false }).primaryKeys()));
}

/** Reads the primary keys of the messages that contain a term, per table, as JSON text. */
export async function readPrimaryKeys(tables: readonly WordsTable[], term: SearchTerm): Promise<Map<WordsTable, Set<string>>> {
  const keys = await Promise.all(tables.map((table) => rangeOf(table, term).primaryKeys()));

  return new Map(tables.map((table, index) => [table, new Set((keys[index] ?? []).map((key) => JSON.stringify(key)))]));
}

/** Lists the distinct indexed words that begin with `prefix`, at most MAX_PREFIX_WORDS, in sort order. */
async function wordsWithPrefix(table: WordsTable, prefix: string): Promise<string[]> {
  const words: string[] = [];
  let lower = prefix;

  while (words.length < MAX_PREFIX_WORDS) {
    const [key] = await table.where('words').between(lower, `${prefix}\uffff`, true, true).limit(1).keys();
    if (key === undefined) break;

    const text = String(key);
    const word = text.slice(0, text.lastIndexOf(KEY_SEPARATOR));
    words.push(word);
    // '\u0001' sorts right after the separator, so the next read starts past every key of this word.
    lower = `${word}\u0001`;
  }

  return words;
}

async function readNewest(list: ListState, count: number): Promise<Posting[]> {
  const postings: Posting[] = [];

  await list.table
    .where('words')
    .between(list.word + KEY_SEPARATOR, searchKey(list.word, list.before), true, true)
    .reverse()
    .offset(list.skip)
    .limit(count)
    .eachKey((key, cursor) => {
      postings.push({ table: list.table, primaryKey: cursor.primaryKey, storedAt: storedAtOfKey(String(key)) });
    });

  return postings;
}

/** Moves a list past the entries taken from it; `isExhausted` when those were its last. */
function advance(list: ListState, taken: readonly Posting[], isExhausted: boolean): void {
  if (isExhausted) {
    list.isDone = true;
    return;
  }

  const last = taken.at(-1);
  if (!last) return;

  const atLast = taken.filter((posting) => posting.storedAt === last.storedAt).length;
  list.skip = last.storedAt === list.before ? list.skip + atLast : atLast;
  list.before = last.storedAt;
}
