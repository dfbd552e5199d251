/**
 * Full-text search over the local history, one-to-one and group messages alike, through the
 * multi-entry `words` index of both tables. Every word must match; the last one also matches as
 * a prefix while the user is still typing it.
 *
 * Results come a page at a time, newest first. The query word with the fewest index entries
 * drives the search. Either its entries are read newest first (word-postings.ts) and each message
 * they name is checked for the other words, so a page costs about as many entries as it needs
 * however many messages contain a common word. Or, when it is rare enough, all its matches are
 * read and sorted at once (see `#makePlan`).
 */

import type { GroupMessageRow } from '../../core/groups/group-types.ts';
import type { MessageRecord } from '../../core/storage-port.ts';
import type { IndexableType } from 'dexie';
import type { MeshtextDatabase } from '../../storage/database.ts';
import type { GroupMessageWordsRow } from '../../storage/group-message-words.ts';
import type { MessageRow } from '../../storage/message-words.ts';
import { KEY_SEPARATOR, searchWords } from '../../storage/search-words.ts';
import type { Posting, SearchTerm, WordsTable } from './word-postings.ts';
import { PostingStream, countEntries, readAllPostings, readKeys } from './word-postings.ts';
import { groupMessageKey } from '../groups/group-message-key.ts';

/** Results per page, newest first. */
export const SEARCH_PAGE_SIZE = 50;
/**
 * Maximum index entries read for one page. Without it, a query whose driving word is common but
 * whose other words are rare would read that word's whole history before it shows anything. At
 * the limit it returns the matches found so far and searches further back on request.
 */
export const MAX_ENTRIES_PER_PAGE = 2_000;
/** Entries read per step when other words must be checked, since most of them will not match. */
const CHECKED_BATCH = 250;

/** A matching message: a one-to-one message or a group message, with a key unique across both. */
export type SearchHit = { kind: 'direct'; key: string; message: MessageRecord } | { kind: 'group'; key: string; message: GroupMessageRow };

/** One page of results. */
export interface SearchPage {
  /** Matches in this page, newest first. */
  hits: SearchHit[];
  /** True when older messages may match too, which `nextPage` reads. */
  hasMore: boolean;
  /** Number of matching messages, when the query could count them without reading them all. */
  total: number | undefined;
}

const TRAILING_SEPARATOR = /[\s\p{P}]$/u;

/** Limits that choose how a query reads its matches (see `MessageQuery.#makePlan`). */
export interface SearchLimits {
  /**
   * Maximum index entries of the rarest word of a query with several words for which every
   * match is read at once and sorted in memory. A key cursor reads 5,000 entries in about 45 ms
   * in Chromium (9 µs each, measured on the 2-core VM of test/bench/README.md).
   */
  sortedDriverEntries: number;
  /** Maximum index entries of another word whose messages are read as a set of keys; above it, rows are checked. */
  keySetEntries: number;
}

export const DEFAULT_SEARCH_LIMITS: SearchLimits = { sortedDriverEntries: 5_000, keySetEntries: 20_000 };

/** A stored row of either table. */
type StoredRow = MessageRow | GroupMessageWordsRow;

/** A query term with its keys per table, read up to a limit, and their number. */
interface TermKeys {
  term: SearchTerm;
  keys: IndexableType[][];
  count: number;
}

/** Reading strategy of a query: all matches sorted in memory, key lists in time order, or a newest-first stream. */
type Plan =
  | { kind: 'sorted'; postings: Posting[]; position: number }
  | { kind: 'keys'; lists: Array<{ table: WordsTable; keys: IndexableType[] }> }
  | { kind: 'stream'; stream: PostingStream };

/** A query over the local history, read a page at a time. */
export class MessageQuery {
  /** The query's words as folded for the index, for highlighting. */
  readonly words: readonly string[];
  readonly #db: MeshtextDatabase;
  readonly #terms: readonly SearchTerm[];
  readonly #tables: readonly WordsTable[];
  readonly #limits: SearchLimits;
  /** Words checked on each message row, because no key set was read for them. */
  #checkedTerms: readonly SearchTerm[] = [];
  #plan: Plan | undefined;
  #total: number | undefined;
  /** Hit keys returned so far, because a message whose words share the prefix comes once per word. */
  readonly #seen = new Set<string>();

  constructor(db: MeshtextDatabase, query: string, limits: SearchLimits = DEFAULT_SEARCH_LIMITS) {
    this.#db = db;
    this.#limits = limits;
    this.#tables = [db.messages, db.groupMessages] as unknown as WordsTable[];
    this.words = searchWords(query);

    const isLastPartial = !TRAILING_SEPARATOR.test(query);
    this.#terms = this.words.map((word, index) => ({ word, isPrefix: isLastPartial && index === this.words.length - 1 }));
  }

  /** Reads the next page of matches; an empty query finds nothing. */
  async nextPage(): Promise<SearchPage> {
    if (this.#terms.length === 0) return { hits: [], hasMore: false, total: 0 };

    this.#plan ??= await this.#makePlan();
    const plan = this.#plan;
    const hits: SearchHit[] = [];

    if (plan.kind === 'keys') {
      hits.push(...(await this.#nextFromKeys(plan.lists)));

      return { hits, hasMore: plan.lists.some((list) => list.keys.length > 0), total: this.#total };
    }
    if (plan.kind === 'sorted') {
      const postings = plan.postings.slice(plan.position, plan.position + SEARCH_PAGE_SIZE);
      plan.position += postings.length;
      hits.push(...(await this.#matching(postings)));

      return { hits, hasMore: plan.position < plan.postings.length, total: this.#total };
    }

    let entriesRead = 0;
    while (hits.length < SEARCH_PAGE_SIZE && !plan.stream.isDone && entriesRead < MAX_ENTRIES_PER_PAGE) {
      const batchSize = this.#checkedTerms.length === 0 ? SEARCH_PAGE_SIZE - hits.length : CHECKED_BATCH;
      const postings = await plan.stream.next(batchSize);
      entriesRead += postings.length;
      hits.push(...(await this.#matching(postings)));
    }

    return { hits, hasMore: !plan.stream.isDone, total: this.#total };
  }

  /**
   * Picks how to read the matches. A single term is read newest first from the index. With
   * several, the rarest word drives, and when it is rare enough its entries are narrowed by the
   * other words' key sets and sorted by time. Streaming would walk the driver's entries one by
   * one to find the few that contain the others.
   */
  async #makePlan(): Promise<Plan> {
    const [only, ...rest] = this.#terms;
    if (only && rest.length === 0) return this.#singleTermPlan(only);

    // Keys beyond the largest limit choose nothing more, so each read stops there.
    const limit = Math.max(this.#limits.sortedDriverEntries, this.#limits.keySetEntries) + 1;
    const keyLists = await Promise.all(this.#terms.map((term) => readKeys(this.#tables, term, limit)));
    const order = this.#terms
      .map((term, index): TermKeys => {
        const keys = keyLists[index] ?? [];

        return { term, keys, count: keys.reduce((sum, list) => sum + list.length, 0) };
      })
      .sort((a, b) => a.count - b.count);
    const [driver, ...others] = order;

    if (driver && driver.count <= this.#limits.sortedDriverEntries) return this.#sortedPlan(driver, others);

    this.#checkedTerms = others.map(({ term }) => term);

    return { kind: 'stream', stream: await PostingStream.open(this.#tables, driver!.term) };
  }

  /**
   * Streams a single term newest first. A whole word has one entry per message, so its count is
   * the number of matches. A prefix is not counted: its words' entries may cover much of the
   * history, and the stream needs no count.
   */
  async #singleTermPlan(term: SearchTerm): Promise<Plan> {
    const [total, stream] = await Promise.all([term.isPrefix ? undefined : countEntries(this.#tables, term), PostingStream.open(this.#tables, term)]);
    this.#total = total;

    return { kind: 'stream', stream };
  }

  /** Narrows a rare driver's entries by the other words' keys, all read by `#makePlan` within its limit. */
  async #sortedPlan(driver: TermKeys, others: readonly TermKeys[]): Promise<Plan> {
    const setTerms = others.filter(({ count }) => count <= this.#limits.keySetEntries);
    this.#checkedTerms = others.filter(({ count }) => count > this.#limits.keySetEntries).map(({ term }) => term);
    const keySets = setTerms.map(({ keys }) => keys.map((list) => new Set(list.map((key) => JSON.stringify(key)))));
    const isInEverySet = (tableIndex: number, key: IndexableType): boolean => keySets.every((sets) => sets[tableIndex]?.has(JSON.stringify(key)) === true);

    // A whole word's keys come oldest first, so no entry needs its time read to sort them.
    if (!driver.term.isPrefix) {
      const lists = this.#tables.map((table, index) => ({ table, keys: (driver.keys[index] ?? []).filter((key) => isInEverySet(index, key)) }));
      if (this.#checkedTerms.length === 0) this.#total = lists.reduce((sum, list) => sum + list.keys.length, 0);

      return { kind: 'keys', lists };
    }

    const byKey = new Map<string, Posting>();
    for (const posting of await readAllPostings(this.#tables, driver.term)) byKey.set(postingKey(posting), posting);
    let postings = [...byKey.values()];

    postings = postings.filter((posting) => isInEverySet(this.#tables.indexOf(posting.table), posting.primaryKey));
    postings.sort((a, b) => b.storedAt - a.storedAt);
    if (this.#checkedTerms.length === 0) this.#total = postings.length;

    return { kind: 'sorted', postings, position: 0 };
  }

  /**
   * Takes the newest page from lists of keys that each run oldest first: reads the newest page
   * of every list, merges them by time and removes the keys taken from the end of their lists.
   */
  async #nextFromKeys(lists: Array<{ table: WordsTable; keys: IndexableType[] }>): Promise<SearchHit[]> {
    const newest = lists.map((list) => list.keys.slice(-SEARCH_PAGE_SIZE));
    const rowLists = await Promise.all(lists.map((list, index) => list.table.bulkGet(newest[index] ?? []) as Promise<Array<StoredRow | undefined>>));
    const candidates: Array<{ list: number; row: StoredRow | undefined; storedAt: number }> = [];

    rowLists.forEach((rows, list) => {
      for (let index = rows.length - 1; index >= 0; index--) candidates.push({ list, row: rows[index], storedAt: rows[index]?.storedAt ?? 0 });
    });
    // Each list's keys go in newest first and a stable sort keeps them so, so the keys taken from a list are its newest.
    candidates.sort((a, b) => b.storedAt - a.storedAt);
    const taken = candidates.slice(0, SEARCH_PAGE_SIZE);
    lists.forEach((list, index) => {
      list.keys.length -= taken.filter((candidate) => candidate.list === index).length;
    });

    const rowsOf = (table: WordsTable) => taken.filter((candidate) => lists[candidate.list]?.table === table).map((candidate) => candidate.row);

    return this.#hitsOf(rowsOf(this.#tables[0]!) as Array<MessageRow | undefined>, rowsOf(this.#tables[1]!) as Array<GroupMessageWordsRow | undefined>);
  }

  /** Reads the messages that `postings` name and keeps those that contain every other word, in order. */
  async #matching(postings: readonly Posting[]): Promise<SearchHit[]> {
    const direct = postings.filter((posting) => posting.table === (this.#db.messages as unknown));
    const group = postings.filter((posting) => posting.table !== (this.#db.messages as unknown));
    const [directRows, groupRows] = await Promise.all([
      this.#db.messages.bulkGet(direct.map((posting) => posting.primaryKey as string)),
      this.#db.groupMessages.bulkGet(group.map((posting) => posting.primaryKey as [string, string, number])),
    ]);

    return this.#hitsOf(directRows, groupRows);
  }

  /** Keeps the rows that contain every other word and were not returned before, newest first. */
  #hitsOf(directRows: ReadonlyArray<MessageRow | undefined>, groupRows: ReadonlyArray<GroupMessageWordsRow | undefined>): SearchHit[] {
    const hits: Array<SearchHit & { storedAt: number }> = [];

    for (const row of directRows) {
      if (row && this.#hasOtherWords(row.words)) hits.push({ kind: 'direct', key: `m:${row.id}`, message: row, storedAt: row.storedAt });
    }
    for (const row of groupRows) {
      if (row && this.#hasOtherWords(row.words)) hits.push({ kind: 'group', key: `g:${groupMessageKey(row)}`, message: row, storedAt: row.storedAt });
    }

    hits.sort((a, b) => b.storedAt - a.storedAt);
    const fresh: SearchHit[] = [];
    for (const { storedAt: _storedAt, ...hit } of hits) {
      if (this.#seen.has(hit.key)) continue;

      this.#seen.add(hit.key);
      fresh.push(hit as SearchHit);
    }

    return fresh;
  }

  #hasOtherWords(keys: readonly string[] | undefined): boolean {
    return this.#checkedTerms.every(({ word, isPrefix }) => (keys ?? []).some((key) => key.startsWith(isPrefix ? word : word + KEY_SEPARATOR)));
  }
}

/** Reads the first page of matches for `query`, as the search box does. */
export function searchMessages(db: MeshtextDatabase, query: string): Promise<SearchPage & { words: readonly string[] }> {
  const search = new MessageQuery(db, query);

  return search.nextPage().then((page) => ({ ...page, words: search.words }));
}

function postingKey(posting: Posting): string {
  return `${posting.table.name}:${JSON.stringify(posting.primaryKey)}`;
}
