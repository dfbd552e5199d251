/**
 * Full-text search over the local history, one-to-one and group messages alike, through the
 * multi-entry `words` index of both tables. Every word must match; the last one also matches as
 * a prefix while the user is still typing it.
 *
 * Results come a page at a time, newest first. One query word drives the search: its index
 * entries are read newest first (word-postings.ts), and each message they name is checked for
 * the other words. A page therefore costs about as many index entries as it needs, however many
 * messages contain a common word, instead of reading every match to sort them by time.
 */

import type { GroupMessageRow } from '../../core/groups/group-types.ts';
import type { MessageRecord } from '../../core/storage-port.ts';
import type { MeshtextDatabase } from '../../storage/database.ts';
import { KEY_SEPARATOR, searchWords } from '../../storage/search-words.ts';
import type { Posting, WordsTable } from './word-postings.ts';
import { PostingStream } from './word-postings.ts';
import { groupMessageKey } from '../groups/group-message-key.ts';

/** Results per page, newest first. */
export const SEARCH_PAGE_SIZE = 50;
/**
 * Index entries read at most for one page. A query whose driving word is common but whose other
 * words are rare would otherwise read that word's whole history before it shows anything; it
 * returns the matches found so far and searches further back on request.
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
}

const TRAILING_SEPARATOR = /[\s\p{P}]$/u;

/** A query over the local history, read a page at a time. */
export class MessageQuery {
  /** The query's words as folded for the index, for highlighting. */
  readonly words: readonly string[];
  readonly #db: MeshtextDatabase;
  readonly #otherWords: ReadonlyArray<{ word: string; isPrefix: boolean }>;
  readonly #driver: { word: string; isPrefix: boolean } | undefined;
  #stream: PostingStream | undefined;
  /** Hit keys returned so far, because a message whose words share the prefix comes once per word. */
  readonly #seen = new Set<string>();

  constructor(db: MeshtextDatabase, query: string) {
    this.#db = db;
    this.words = searchWords(query);

    const isLastPartial = !TRAILING_SEPARATOR.test(query);
    const terms = this.words.map((word, index) => ({ word, isPrefix: isLastPartial && index === this.words.length - 1 }));
    this.#driver = pickDriver(terms);
    this.#otherWords = terms.filter((term) => term !== this.#driver);
  }

  /** Reads the next page of matches; an empty query finds nothing. */
  async nextPage(): Promise<SearchPage> {
    const driver = this.#driver;
    if (!driver) return { hits: [], hasMore: false };

    const tables = [this.#db.messages, this.#db.groupMessages] as unknown as WordsTable[];
    this.#stream ??= await PostingStream.open(tables, driver.word, driver.isPrefix);
    const stream = this.#stream;
    const hits: SearchHit[] = [];
    let entriesRead = 0;

    while (hits.length < SEARCH_PAGE_SIZE && !stream.isDone && entriesRead < MAX_ENTRIES_PER_PAGE) {
      const wanted = this.#otherWords.length === 0 ? SEARCH_PAGE_SIZE - hits.length : CHECKED_BATCH;
      const postings = await stream.next(wanted);
      entriesRead += postings.length;
      hits.push(...(await this.#matching(postings)));
    }

    return { hits, hasMore: !stream.isDone };
  }

  /** Reads the messages that `postings` name and keeps those that contain every other word, in order. */
  async #matching(postings: readonly Posting[]): Promise<SearchHit[]> {
    const direct = postings.filter((posting) => posting.table === (this.#db.messages as unknown));
    const group = postings.filter((posting) => posting.table !== (this.#db.messages as unknown));
    const [directRows, groupRows] = await Promise.all([
      this.#db.messages.bulkGet(direct.map((posting) => posting.primaryKey as string)),
      this.#db.groupMessages.bulkGet(group.map((posting) => posting.primaryKey as [string, string, number])),
    ]);
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
    return this.#otherWords.every(({ word, isPrefix }) => (keys ?? []).some((key) => key.startsWith(isPrefix ? word : word + KEY_SEPARATOR)));
  }
}

/**
 * Picks the word whose index entries drive the search. A whole word beats a prefix, which
 * covers several words, and a longer word beats a shorter one, being rarer in most texts.
 */
function pickDriver<Term extends { word: string; isPrefix: boolean }>(terms: readonly Term[]): Term | undefined {
  const whole = terms.filter((term) => !term.isPrefix);
  const candidates = whole.length > 0 ? whole : terms;

  return candidates.reduce<Term | undefined>((best, term) => (!best || term.word.length > best.word.length ? term : best), undefined);
}

/** Reads the first page of matches for `query`, as the search box does. */
export function searchMessages(db: MeshtextDatabase, query: string): Promise<SearchPage & { words: readonly string[] }> {
  const search = new MessageQuery(db, query);

  return search.nextPage().then((page) => ({ ...page, words: search.words }));
}
