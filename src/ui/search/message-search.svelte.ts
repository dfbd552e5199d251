/** State of the message search box: the query, its results and the names to show with them. */

import type { MeshtextDatabase } from '../../storage/database.ts';
import { IDENTITY_KEY } from '../../storage/database.ts';
import type { SearchHit } from '../data/message-search.ts';
import { MessageQuery } from '../data/message-search.ts';
import { t } from '../i18n/index.ts';

/** Pause in typing after which the query runs. */
const SEARCH_DELAY_MS = 120;

/** Results of the current query so far. */
export interface SearchResult {
  /** The query's words as folded for the index, for highlighting. */
  words: readonly string[];
  /** Matches read so far, newest first. */
  hits: SearchHit[];
  /** True when older messages may match too. */
  hasMore: boolean;
  /** Number of matching messages, when the search could count them. */
  total: number | undefined;
}

/** Labels of a result besides its text: the chat the message is in and its sender. */
export interface HitLabels {
  /** Contact or group name. */
  place: string;
  sender: string;
}

/** Names that results show, read with each query. */
interface SearchNames {
  contacts: Readonly<Record<string, string>>;
  groups: Readonly<Record<string, { name: string; members: Readonly<Record<string, string>> }>>;
  own?: string;
}

export class MessageSearch {
  query = $state('');
  result = $state.raw<SearchResult | undefined>(undefined);
  hasFailed = $state(false);
  isLoadingMore = $state(false);
  isActive = $derived(this.query.trim().length > 0);
  /** Display names by address, group names and rosters by group id, and the own address, read with each query. */
  #names = $state.raw<SearchNames>({ contacts: {}, groups: {} });
  readonly #db: MeshtextDatabase;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #search: MessageQuery | undefined;
  /** Addresses of blocked contacts, whose messages results leave out. */
  #blocked: readonly string[] = [];
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
      this.#search = undefined;
      return;
    }
    this.#timer = setTimeout(() => void this.#run(query, this.#generation), SEARCH_DELAY_MS);
  }

  clear(): void {
    this.setQuery('');
  }

  /** Reads the next page of older matches of the current query. */
  async loadMore(): Promise<void> {
    const search = this.#search;
    const result = this.result;
    if (!search || !result?.hasMore || this.isLoadingMore) return;

    const generation = this.#generation;
    this.isLoadingMore = true;
    try {
      const page = await search.nextPage();
      if (generation !== this.#generation) return;

      this.result = { ...result, hits: [...result.hits, ...this.#visible(page.hits)], hasMore: page.hasMore };
    } catch (error) {
      if (generation !== this.#generation) return;

      console.error('[meshtext:ui] search failed', error);
      this.hasFailed = true;
    } finally {
      this.isLoadingMore = false;
    }
  }

  /** Returns the contact or group name and the sender's name that a result shows. */
  labelsOf(hit: SearchHit): HitLabels {
    const names = this.#names;
    const isOwn = hit.kind === 'direct' ? hit.message.direction === 'out' : hit.message.sender === names.own;

    if (hit.kind === 'direct') {
      const contactName = names.contacts[hit.message.conversation] ?? '';

      return { place: contactName, sender: isOwn ? t('search.you') : contactName };
    }
    const group = names.groups[hit.message.group];
    const senderName = group?.members[hit.message.sender] ?? names.contacts[hit.message.sender] ?? t('groups.someone');

    return { place: group?.name ?? '', sender: isOwn ? t('search.you') : senderName };
  }

  async #run(query: string, generation: number): Promise<void> {
    const startedAt = performance.now();
    try {
      const search = new MessageQuery(this.#db, query);
      const [page, contacts, groups, identity] = await Promise.all([
        search.nextPage(),
        this.#db.contacts.toArray(),
        this.#db.groups.toArray(),
        this.#db.identity.get(IDENTITY_KEY),
      ]);
      if (generation !== this.#generation) return;

      this.#blocked = contacts.filter((contact) => contact.state === 'blocked').map((contact) => contact.address);
      this.#names = {
        contacts: Object.fromEntries(contacts.map((contact) => [contact.address, contact.displayName])),
        groups: Object.fromEntries(
          groups.map((group) => [group.id, { name: group.name, members: Object.fromEntries(group.roster.map((member) => [member.address, member.displayName])) }]),
        ),
        ...(identity && { own: identity.address }),
      };
      this.#search = search;
      this.result = { words: search.words, hits: this.#visible(page.hits), hasMore: page.hasMore, total: page.total };
      this.hasFailed = false;
      // A user timing entry, for the profiler and the search benchmark.
      performance.measure('meshtext:search', { start: startedAt });
    } catch (error) {
      if (generation !== this.#generation) return;

      console.error('[meshtext:ui] search failed', error);
      this.hasFailed = true;
    }
  }

  /** Leaves out messages of blocked contacts. */
  #visible(hits: SearchHit[]): SearchHit[] {
    return hits.filter((hit) => hit.kind === 'group' || !this.#blocked.includes(hit.message.conversation));
  }
}
