/**
 * Vertical layout of a windowed list whose rows differ in height. Rows not yet rendered count
 * with an estimated height until they have been measured once.
 */

/** Height assumed for a row never rendered, about one line of text with its time. */
export const ESTIMATED_ROW_PX = 64;

/** Rows to render: `start` included, `end` excluded, with the space the others take above and below. */
export interface RowRange {
  start: number;
  end: number;
  topPx: number;
  bottomPx: number;
}

export class RowLayout {
  readonly #heights = new Map<string, number>();
  #ids: readonly string[] = [];
  /** `offsets[i]` is the top of row i; the last entry is the total height. */
  #offsets = new Float64Array(1);

  /** Sets the rows, in display order. */
  setRows(ids: readonly string[]): void {
    if (ids === this.#ids) return;

    this.#ids = ids;
    this.#recompute();
  }

  /** Records a measured height. Returns true when it changed the layout. */
  measure(id: string, heightPx: number): boolean {
    if (this.#heights.get(id) === heightPx) return false;

    this.#heights.set(id, heightPx);
    this.#recompute();

    return true;
  }

  get totalPx(): number {
    return this.#offsets[this.#ids.length] ?? 0;
  }

  /** Returns the top of the row with this id, or undefined when it is not in the list. */
  offsetOf(id: string): number | undefined {
    const index = this.#ids.indexOf(id);

    return index < 0 ? undefined : this.#offsets[index];
  }

  /** Returns the index of the row that covers `offsetPx`, clamped to the list. */
  indexAt(offsetPx: number): number {
    let low = 0;
    let high = this.#ids.length - 1;

    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((this.#offsets[middle] ?? 0) <= offsetPx) low = middle;
      else high = middle - 1;
    }

    return Math.max(0, low);
  }

  /** Returns the id of the row at `offsetPx`, or undefined for an empty list. */
  idAt(offsetPx: number): string | undefined {
    return this.#ids[this.indexAt(offsetPx)];
  }

  /**
   * Returns the rows that intersect the viewport extended by `marginPx` on both sides. The range
   * also covers at least `marginRows` rows beyond each edge, so one very tall row cannot push
   * all its neighbours out of it.
   */
  rangeFor(scrollTopPx: number, viewportPx: number, marginPx: number, marginRows = 0): RowRange {
    const count = this.#ids.length;
    if (count === 0) return { start: 0, end: 0, topPx: 0, bottomPx: 0 };

    const firstShown = this.indexAt(scrollTopPx);
    const lastShown = this.indexAt(scrollTopPx + viewportPx);
    const start = Math.max(0, Math.min(this.indexAt(scrollTopPx - marginPx), firstShown - marginRows));
    const end = Math.min(count, Math.max(this.indexAt(scrollTopPx + viewportPx + marginPx), lastShown + marginRows) + 1);
    const topPx = this.#offsets[start] ?? 0;

    return { start, end, topPx, bottomPx: this.totalPx - (this.#offsets[end] ?? this.totalPx) };
  }

  #recompute(): void {
    const count = this.#ids.length;
    const offsets = new Float64Array(count + 1);

    for (let index = 0; index < count; index++) {
      const height = this.#heights.get(this.#ids[index] ?? '') ?? ESTIMATED_ROW_PX;
      offsets[index + 1] = (offsets[index] ?? 0) + height;
    }
    this.#offsets = offsets;
  }
}
