/** State of the message search box: the query, its results and the names to show with them. */

import type { MeshtextDatabase } from '../../storage/database.ts';
import type { SearchResult } from '../data/message-search.ts';
import { searchMessages } from '../data/message-search.ts';

/** Pause in typing after which the query runs. */
const SEARCH_DELAY_MS = 120;

export class MessageSearch {
  query = $state('');
  result = $state.raw<SearchResult | undefined>(undefined);
  /** Display names by address, for the conversations in the results. */
  names = $state.raw<Readonly<Record<string, string>>>({});
  hasFailed = $state(false);
  isActive = $derived(this.query.trim().length > 0);
  readonly #db: MeshtextDatabase;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Counts queries, so that a slow one that ends after a newer one is ignored. */
  #generation = 0;

  constructor(db: MeshtextDatabase) {
    this.#db = db;
  }

  /** Sets the query and runs it once typing pauses. */
  setQuery(query: string): void {
    this.query = query;
    clearTimeout(this.#timer);
    this.#generation++;

    if (!this.isActive) {
      this.result = undefined;
      return;
    }
    this.#timer = setTimeout(() => void this.#run(query, this.#generation), SEARCH_DELAY_MS);
  }

  clear(): void {
    this.setQuery('');
  }

  async #run(query: string, generation: number): Promise<void> {
    const startedAt = performance.now();
    try {
      const [result, contacts] = await Promise.all([searchMessages(this.#db, query), this.#db.contacts.toArray()]);
      if (generation !== this.#generation) return;

      const blocked = contacts.filter((contact) => contact.state === 'blocked').map((contact) => contact.address);
      this.names = Object.fromEntries(contacts.map((contact) => [contact.address, contact.displayName]));
      this.result = { ...result, hits: result.hits.filter((hit) => !blocked.includes(hit.conversation)) };
      this.hasFailed = false;
      // A user timing entry, for the profiler and the search benchmark.
      performance.measure('meshtext:search', { start: startedAt });
    } catch (error) {
      if (generation !== this.#generation) return;

      console.error('[meshtext:ui] search failed', error);
      this.hasFailed = true;
    }
  }
}
