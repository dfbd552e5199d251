/**
 * Newest-first reads of the `*words` index of one table (see search-words.ts). The keys of one
 * word are the word, a NUL and the storedAt of each message that contains it, so a reverse
 * cursor over one word's keys meets its messages newest first and stops after the few it needs.
 * A prefix covers several words, whose key ranges follow one another; their newest entries are
 * merged by time.
 *
 * The stream reads through IndexedDB itself rather than Dexie: a prefix means one read per word,
 * and on disk Dexie's cursors took about three times as long for the same entries.
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
    const wordLists = term.isPrefix
      ? await inOneTransaction(tables, (indexOf) => Promise.all(tables.map((table) => wordsWithPrefix(indexOf(table), term.word))))
      : tables.map(() => [term.word]);
    const lists = tables.flatMap((table, index) =>
      (wordLists[index] ?? []).map((word): ListState => ({ table, word, before: Number.MAX_SAFE_INTEGER, skip: 0, isDone: false })),
    );

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
    // One transaction for all the reads, which each cost a transaction of their own otherwise.
    const batches = tables.length > 0 ? await inOneTransaction(tables, (indexOf) => Promise.all(open.map((list) => readNewest(indexOf(list.table), list, readSize)))) : [];

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

/**
 * Counts the index entries of a term in all tables. Chromium walks every entry of a range to
 * count it, so a count takes time in proportion to its result: 0.45 s for 49,000 entries with
 * the store on disk (test/bench/README.md).
 */
export async function countEntries(tables: readonly WordsTable[], term: SearchTerm): Promise<number> {
  const counts = await Promise.all(tables.map((table) => rangeOf(table, term).count()));

  return counts.reduce((sum, count) => sum + count, 0);
}

/**
 * Reads the primary keys of the messages that contain a term, per table, up to `limit` from
 * each. They come in index order: for a whole word, whose keys carry the message's time, oldest
 * first. One getAllKeys request per table read 1,616 keys faster than count() counted them.
 */
export function readKeys(tables: readonly WordsTable[], term: SearchTerm, limit = Number.POSITIVE_INFINITY): Promise<IndexableType[][]> {
  return Promise.all(tables.map((table) => (limit === Number.POSITIVE_INFINITY ? rangeOf(table, term) : rangeOf(table, term).limit(limit)).primaryKeys()));
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

/** An index entry as `IDBIndex.getAllRecords` returns it; the value is not used. */
interface IndexRecord {
  key: IDBValidKey;
  primaryKey: IDBValidKey;
}

/** `getAllRecords`, which Chromium has and the DOM types of this TypeScript do not list yet. */
interface IndexWithRecords extends IDBIndex {
  getAllRecords(options: { query: IDBKeyRange; count: number; direction: IDBCursorDirection }): IDBRequest<IndexRecord[]>;
}

/** Runs `read` in one read-only transaction over the tables' stores. `indexOf` gives each table's `words` index in it. */
async function inOneTransaction<T>(tables: readonly WordsTable[], read: (indexOf: (table: WordsTable) => IDBIndex) => Promise<T>): Promise<T> {
  const db = tables[0]!.db;
  // Opens the database first when nothing has read it yet.
  if (!db.isOpen()) await db.open();
  const transaction = db.backendDB().transaction(tables.map((table) => table.name), 'readonly');

  return read((table) => transaction.objectStore(table.name).index('words'));
}

/** Resolves with a request's result, or rejects with its error. */
function resultOf<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/**
 * Walks `range` with a key cursor and hands each entry to `visit`, which returns where the cursor
 * goes next: 'next', a key to jump to, or 'stop'.
 */
function walkKeys(index: IDBIndex, range: IDBKeyRange, direction: IDBCursorDirection, visit: (cursor: IDBCursor) => 'next' | 'stop' | IDBValidKey): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = index.openKeyCursor(range, direction);
    request.onerror = () => reject(request.error);
    request.onsuccess = () => {
      const cursor = request.result;
      const step = cursor ? visit(cursor) : 'stop';
      if (!cursor || step === 'stop') resolve();
      else if (step === 'next') cursor.continue();
      else cursor.continue(step);
    };
  });
}

/** Lists the distinct indexed words that begin with `prefix`, at most MAX_PREFIX_WORDS, in sort order. */
async function wordsWithPrefix(index: IDBIndex, prefix: string): Promise<string[]> {
  const words: string[] = [];

  await walkKeys(index, IDBKeyRange.bound(prefix, `${prefix}\uffff`), 'next', (cursor) => {
    const text = String(cursor.key);
    const word = text.slice(0, text.lastIndexOf(KEY_SEPARATOR));
    words.push(word);

    // '\u0001' sorts right after the separator, so the cursor jumps past every key of this word.
    return words.length < MAX_PREFIX_WORDS ? `${word}\u0001` : 'stop';
  });

  return words;
}

/** Reads the newest `count` entries of a list from its position on. */
async function readNewest(index: IDBIndex, list: ListState, count: number): Promise<Posting[]> {
  const range = IDBKeyRange.bound(list.word + KEY_SEPARATOR, searchKey(list.word, list.before));
  const toPosting = (key: IDBValidKey, primaryKey: IDBValidKey): Posting => ({ table: list.table, primaryKey: primaryKey as IndexableType, storedAt: storedAtOfKey(String(key)) });

  if ('getAllRecords' in index) {
    const records = await resultOf((index as IndexWithRecords).getAllRecords({ query: range, count: list.skip + count, direction: 'prev' }));

    return records.slice(list.skip).map((record) => toPosting(record.key, record.primaryKey));
  }

  const postings: Posting[] = [];
  let skipped = 0;
  await walkKeys(index, range, 'prev', (cursor) => {
    if (skipped < list.skip) skipped += 1;
    else postings.push(toPosting(cursor.key, cursor.primaryKey));

    return postings.length < count ? 'next' : 'stop';
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
