/**
 * Page reads of one chat history through a compound index whose last part is storedAt, such as
 * `[conversation+storedAt]`. Each read touches only the rows it returns (and those its filter
 * skips), so its cost does not grow with the history.
 */

import Dexie from 'dexie';
import type { IndexableType, Table } from 'dexie';

/** Range of storedAt values shown, both ends included; `to` undefined reaches the newest row. */
export interface HistoryBounds {
  from: number;
  to: number | undefined;
}

/** The four page reads of one history, as `HistorySource` (history-window.svelte.ts) uses them. */
export interface HistoryPages<Row> {
  /** Reads the newest `count` rows, oldest first. */
  readLatest(count: number): Promise<Row[]>;
  /** Reads the rows within `bounds`, oldest first. */
  readRange(bounds: HistoryBounds): Promise<Row[]>;
  /** Reads up to `count` rows stored before `storedAt` (excluded), newest first. */
  readOlder(storedAt: number, count: number): Promise<Row[]>;
  /** Reads up to `count` rows stored after `storedAt` (excluded), oldest first. */
  readNewer(storedAt: number, count: number): Promise<Row[]>;
}

/**
 * Returns the page reads of the rows of `table` whose index `index` starts with `prefix`, the
 * index's other parts, and ends with storedAt. Rows for which `isShown` is false are skipped and
 * do not count towards a page.
 */
export function historyPages<Row, Key, Insert>(
  table: Table<Row, Key, Insert>,
  index: string,
  prefix: readonly IndexableType[],
  isShown: (row: Row) => boolean = () => true,
): HistoryPages<Row> {
  const between = (from: IndexableType, to: IndexableType, includeFrom: boolean, includeTo: boolean) =>
    table
      .where(index)
      .between([...prefix, from], [...prefix, to], includeFrom, includeTo)
      .filter(isShown);

  return {
    async readLatest(count) {
      const newestFirst = await between(Dexie.minKey, Dexie.maxKey, true, true).reverse().limit(count).toArray();

      return newestFirst.reverse();
    },
    // One getAll instead of a cursor step per row: the live window reads its whole range after every change.
    readRange: async (bounds) => {
      const rows = await table
        .where(index)
        .between([...prefix, bounds.from], [...prefix, bounds.to ?? Dexie.maxKey], true, true)
        .toArray();

      return rows.filter(isShown);
    },
    readOlder: (storedAt, count) => between(Dexie.minKey, storedAt, true, false).reverse().limit(count).toArray(),
    readNewer: (storedAt, count) => between(storedAt, Dexie.maxKey, false, true).limit(count).toArray(),
  };
}
