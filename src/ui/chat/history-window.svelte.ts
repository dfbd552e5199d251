/**
 * The part of a chat history that a log keeps in memory: a range of storedAt values, read
 * through a Dexie live query so that new, edited and deleted rows in it show at once. It opens on
 * the newest page and grows a page at a time as the reader scrolls. A jump to a search result
 * replaces it with the page around that row. One-to-one chats and group chats share it, each with
 * its own `HistorySource`.
 */

import { liveQuery } from 'dexie';
import type { HistoryBounds } from '../data/history-pages.ts';
import { SharedRows } from '../data/shared-rows.ts';

/** Rows read per page, about three screens of short messages. */
export const PAGE_SIZE = 60;

/** Rows a window that follows the newest row may hold before `trimOlder` drops the oldest. */
export const MAX_FOLLOWING_ROWS = 3 * PAGE_SIZE;

/** A row that a history window pages through, ordered by storedAt. */
export interface HistoryRow {
  storedAt: number;
}

/**
 * Reads of one history. Pages count only the rows that `readLatest` and the others return. The
 * details (gap records, membership events, receipts) are read for the bounds of the rows held.
 */
export interface HistorySource<Row extends HistoryRow, Details> {
  /** Unique key of a row, which the log keys its items and the focus by. */
  keyOf(row: Row): string;
  /** Reads the newest `count` rows, oldest first. */
  readLatest(count: number): Promise<Row[]>;
  /** Reads the rows within `bounds`, oldest first. */
  readRange(bounds: HistoryBounds): Promise<Row[]>;
  /** Reads up to `count` rows stored before `storedAt` (excluded), newest first. */
  readOlder(storedAt: number, count: number): Promise<Row[]>;
  /** Reads up to `count` rows stored after `storedAt` (excluded), oldest first. */
  readNewer(storedAt: number, count: number): Promise<Row[]>;
  /** Reads what the log shows beside the rows within `bounds`, in the same live query. */
  readDetails(bounds: HistoryBounds): Promise<Details>;
}

/** Row to scroll to and highlight; a new object for every jump, so that a second jump to the same row counts. */
export interface HistoryFocus {
  key: string;
}

export class HistoryWindow<Row extends HistoryRow, Details> {
  rows = $state.raw<Row[]>([]);
  details = $state.raw<Details>() as Details;
  /** False until the first page has been read. */
  isLoaded = $state(false);
  /** True while older rows may exist before the first one held. */
  hasOlder = $state(true);
  /** Set by `jumpTo`. */
  focus = $state.raw<HistoryFocus | undefined>(undefined);
  error = $state.raw<unknown>(undefined);
  /** Undefined until the first page fixes the range, and after `jumpToLatest`. */
  #bounds = $state<HistoryBounds | undefined>(undefined);
  #isExtending = false;
  readonly #sharedRows = new SharedRows<Row>();
  readonly #source: HistorySource<Row, Details>;

  /** Subscribes for the lifetime of the component that creates it, so construct it during component initialisation. */
  constructor(source: HistorySource<Row, Details>, initialDetails: Details) {
    this.#source = source;
    this.details = initialDetails;

    $effect(() => {
      const bounds = this.#bounds;
      const query = async (): Promise<{ rows: Row[]; details: Details; shown: HistoryBounds }> => {
        // With its bounds known, the window reads rows and details at once: a new message shows
        // one storage round trip sooner.
        if (bounds) {
          const [rows, details] = await Promise.all([source.readRange(bounds), source.readDetails(bounds)]);

          return { rows, details, shown: bounds };
        }
        // The first page reads one row more than it shows, to tell whether older rows exist.
        const read = await source.readLatest(PAGE_SIZE + 1);
        const rows = read.slice(-PAGE_SIZE);
        const shown = { from: lowerBound(rows[0], read.length > PAGE_SIZE), to: undefined };

        return { rows, details: await source.readDetails(shown), shown };
      };

      const subscription = liveQuery(query).subscribe({
        next: ({ rows, details, shown }) => {
          this.details = details;
          this.#show(rows, bounds, shown);
        },
        error: (error: unknown) => {
          this.error = error;
          console.error('[meshtext:ui] reading the history failed', error);
        },
      });

      return () => subscription.unsubscribe();
    });
  }

  /** True when the window does not reach the newest row. */
  get hasNewer(): boolean {
    return this.#bounds?.to !== undefined;
  }

  /** Adds the page before the first row held. Does nothing while another page is read. */
  async loadOlder(): Promise<void> {
    const bounds = this.#bounds;
    if (!bounds || !this.hasOlder || this.#isExtending) return;

    this.#isExtending = true;
    try {
      // Reading one row more than a page shows whether another page follows, so the window that reaches the start has no lower end.
      const older = await this.#source.readOlder(bounds.from, PAGE_SIZE + 1);
      this.hasOlder = older.length > PAGE_SIZE;
      this.#bounds = { ...bounds, from: lowerBound(older.slice(0, PAGE_SIZE).at(-1), this.hasOlder) };
    } finally {
      this.#isExtending = false;
    }
  }

  /** Adds the page after the last row held; once that reaches the newest, the window follows new rows. */
  async loadNewer(): Promise<void> {
    const bounds = this.#bounds;
    if (bounds?.to === undefined || this.#isExtending) return;

    this.#isExtending = true;
    try {
      const newer = await this.#source.readNewer(bounds.to, PAGE_SIZE);
      const isAtEnd = newer.length < PAGE_SIZE;
      this.#bounds = { ...bounds, to: isAtEnd ? undefined : newer.at(-1)?.storedAt };
    } finally {
      this.#isExtending = false;
    }
  }

  /**
   * Drops the oldest rows down to two pages while the window follows the newest row and contains
   * more than MAX_FOLLOWING_ROWS. A chat left open then re-reads a bounded range after each new
   * message. Scrolling up reads the dropped rows again.
   */
  trimOlder(): void {
    const bounds = this.#bounds;
    const first = this.rows.at(-2 * PAGE_SIZE);
    if (!bounds || bounds.to !== undefined || this.#isExtending || this.rows.length <= MAX_FOLLOWING_ROWS || !first) return;

    this.hasOlder = true;
    this.#bounds = { from: first.storedAt, to: undefined };
  }

  /** Replaces the window with the rows around `row` and marks it for scrolling and highlighting. */
  async jumpTo(row: Row): Promise<void> {
    const half = PAGE_SIZE / 2;
    const [older, newer] = await Promise.all([this.#source.readOlder(row.storedAt, half + 1), this.#source.readNewer(row.storedAt, half)]);

    this.hasOlder = older.length > half;
    this.focus = { key: this.#source.keyOf(row) };
    this.#bounds = {
      from: lowerBound(older.slice(0, half).at(-1) ?? row, this.hasOlder),
      to: newer.length < half ? undefined : newer.at(-1)?.storedAt,
    };
  }

  /** Goes back to the newest page, as when the chat opens. */
  jumpToLatest(): void {
    this.focus = undefined;
    this.hasOlder = true;
    this.#bounds = undefined;
  }

  #show(rows: Row[], bounds: HistoryBounds | undefined, shown: HistoryBounds): void {
    // Unchanged rows keep their objects, so the log re-renders only the rows that changed.
    this.rows = this.#sharedRows.share(rows, (row) => this.#source.keyOf(row));
    this.isLoaded = true;
    this.error = undefined;

    // The first page fixes the lower end, so later rows add to the window instead of pushing its oldest out.
    if (!bounds) {
      this.hasOlder = shown.from !== Number.NEGATIVE_INFINITY;
      this.#bounds = shown;
    }
  }
}

/**
 * Returns the lower end of a window whose oldest row is `oldest`. A window that reaches the start
 * of the history has no lower end, so rows that land before its first row later (a linked
 * identity's history, a restore, a group member catching up) still show.
 */
function lowerBound(oldest: HistoryRow | undefined, hasOlder: boolean): number {
  return hasOlder && oldest ? oldest.storedAt : Number.NEGATIVE_INFINITY;
}
