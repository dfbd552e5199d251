import { describe, expect, it } from 'vitest';
import { ESTIMATED_ROW_PX, RowLayout } from '../../../src/ui/chat/row-layout.ts';

const ids = Array.from({ length: 1000 }, (_, index) => `m${index}`);

describe('RowLayout', () => {
  it('estimates rows never measured', () => {
    const layout = new RowLayout();
    layout.setRows(ids);

    expect(layout.totalPx).toBe(1000 * ESTIMATED_ROW_PX);
    expect(layout.offsetOf('m10')).toBe(10 * ESTIMATED_ROW_PX);
    expect(layout.offsetOf('absent')).toBeUndefined();
  });

  it('moves later rows when a height is measured', () => {
    const layout = new RowLayout();
    layout.setRows(ids);

    expect(layout.measure('m0', ESTIMATED_ROW_PX + 100)).toBe(true);
    expect(layout.measure('m0', ESTIMATED_ROW_PX + 100)).toBe(false);
    expect(layout.offsetOf('m1')).toBe(ESTIMATED_ROW_PX + 100);
  });

  it('renders only the rows near the viewport', () => {
    const layout = new RowLayout();
    layout.setRows(ids);

    const range = layout.rangeFor(500 * ESTIMATED_ROW_PX, 10 * ESTIMATED_ROW_PX, 5 * ESTIMATED_ROW_PX);

    expect(range.start).toBe(495);
    expect(range.end).toBe(516);
    expect(range.topPx).toBe(495 * ESTIMATED_ROW_PX);
    expect(range.topPx + (range.end - range.start) * ESTIMATED_ROW_PX + range.bottomPx).toBe(layout.totalPx);
  });

  it('clamps ranges at both ends', () => {
    const layout = new RowLayout();
    layout.setRows(ids);

    expect(layout.rangeFor(-1000, 100, 0).start).toBe(0);
    expect(layout.rangeFor(10 ** 9, 100, 0).end).toBe(1000);
    expect(layout.rangeFor(10 ** 9, 100, 0).bottomPx).toBe(0);
  });

  it('keeps measured heights for rows that come back', () => {
    const layout = new RowLayout();
    layout.setRows(ids.slice(500));
    layout.measure('m600', 200);

    layout.setRows(ids);

    expect((layout.offsetOf('m601') ?? 0) - (layout.offsetOf('m600') ?? 0)).toBe(200);
  });

  it('handles an empty list', () => {
    const layout = new RowLayout();
    layout.setRows([]);

    expect(layout.rangeFor(0, 500, 100)).toEqual({ start: 0, end: 0, topPx: 0, bottomPx: 0 });
    expect(layout.idAt(0)).toBeUndefined();
  });

  it('renders neighbours of a very tall row', () => {
    const layout = new RowLayout();
    layout.setRows(['m0', 'm1', 'm2', 'm3']);
    layout.measure('m1', 5000);

    const byPixels = layout.rangeFor(5100, 600, 800);
    const byRows = layout.rangeFor(5100, 600, 800, 2);

    expect(byPixels.start).toBe(1);
    expect(byRows.start).toBe(0);
    expect(byRows.end).toBe(4);
    expect(byRows.topPx).toBe(0);
  });
});
