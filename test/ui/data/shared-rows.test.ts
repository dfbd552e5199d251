import { describe, expect, it } from 'vitest';
import { SharedRows } from '../../../src/ui/data/shared-rows.ts';

interface Row {
  id: string;
  status: string;
  file?: { name: string; size: number };
}

const keyOf = (row: Row): string => row.id;

describe('SharedRows', () => {
  it('keeps the object of an unchanged row', () => {
    const rows = new SharedRows<Row>();
    const first = rows.share([{ id: 'a', status: 'sent', file: { name: 'x.txt', size: 3 } }, { id: 'b', status: 'queued' }], keyOf);

    const second = rows.share([{ id: 'a', status: 'sent', file: { name: 'x.txt', size: 3 } }, { id: 'b', status: 'delivered' }, { id: 'c', status: 'queued' }], keyOf);

    expect(second[0]).toBe(first[0]);
    expect(second[1]).not.toBe(first[1]);
    expect(second[1]?.status).toBe('delivered');
    expect(second[2]?.id).toBe('c');
  });

  it('replaces a row whose nested value or field set changed', () => {
    const rows = new SharedRows<Row>();
    const first = rows.share([{ id: 'a', status: 'sent', file: { name: 'x.txt', size: 3 } }, { id: 'b', status: 'sent' }], keyOf);

    const second = rows.share([{ id: 'a', status: 'sent', file: { name: 'x.txt', size: 4 } }, { id: 'b', status: 'sent', file: { name: 'y', size: 1 } }], keyOf);

    expect(second[0]).not.toBe(first[0]);
    expect(second[0]?.file?.size).toBe(4);
    expect(second[1]).not.toBe(first[1]);
  });

  it('forgets rows missing from the last run', () => {
    const rows = new SharedRows<Row>();
    const first = rows.share([{ id: 'a', status: 'sent' }], keyOf);
    rows.share([], keyOf);

    const third = rows.share([{ id: 'a', status: 'sent' }], keyOf);

    expect(third[0]).not.toBe(first[0]);
  });
});
