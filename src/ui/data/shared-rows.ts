/**
 * Keeps the objects of rows that did not change between two runs of a live query. Dexie returns
 * new objects on every run, and a keyed Svelte `{#each}` updates every item whose object is new,
 * so without this one changed message re-renders the whole list.
 */

/** Rows of the last run, by primary key. */
export class SharedRows<T extends object> {
  #previous = new Map<string, T>();

  /** Returns `rows` with each row equal to its previous version replaced by that version. */
  share(rows: T[], keyOf: (row: T) => string): T[] {
    const next = new Map<string, T>();
    const shared = rows.map((row) => {
      const key = keyOf(row);
      const previous = this.#previous.get(key);
      const kept = previous !== undefined && isSameRow(previous, row) ? previous : row;
      next.set(key, kept);

      return kept;
    });
    this.#previous = next;

    return shared;
  }
}

/** Compares two rows field by field, nested values by their JSON text. */
function isSameRow(a: object, b: object): boolean {
  const aEntries = Object.entries(a);
  if (aEntries.length !== Object.keys(b).length) return false;

  const bRecord = b as Record<string, unknown>;
  for (const [field, value] of aEntries) {
    const other = bRecord[field];
    if (value === other) continue;
    if (typeof value !== 'object' || typeof other !== 'object' || value === null || other === null) return false;
    if (value instanceof Uint8Array || other instanceof Uint8Array) return false;
    if (JSON.stringify(value) !== JSON.stringify(other)) return false;
  }

  return true;
}
