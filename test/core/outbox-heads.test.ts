import { describe, expect, it } from 'vitest';
import { OutboxHeads } from '../../src/core/outbox-heads.ts';

describe('OutboxHeads', () => {
  it('reports heads above what this tab handled', () => {
    const heads = new OutboxHeads();
    heads.noteHandled('bob', 5);

    expect(heads.takeUnhandled([{ conversation: 'bob', seq: 5 }])).toBe(false);
    expect(heads.takeUnhandled([{ conversation: 'bob', seq: 4 }])).toBe(false);
    expect(heads.takeUnhandled([{ conversation: 'bob', seq: 6 }])).toBe(true);
    expect(heads.takeUnhandled([{ conversation: 'bob', seq: 6 }])).toBe(false);
  });

  it('reports a conversation it never handled', () => {
    const heads = new OutboxHeads();
    heads.noteHandled('bob', 5);

    expect(heads.takeUnhandled([{ conversation: 'bob', seq: 2 }, { conversation: 'carol', seq: 1 }])).toBe(true);
    expect(heads.takeUnhandled([{ conversation: 'carol', seq: 1 }])).toBe(false);
  });

  it('never lowers a handled seq', () => {
    const heads = new OutboxHeads();
    heads.noteHandled('bob', 9);
    heads.noteHandled('bob', 3);

    expect(heads.takeUnhandled([{ conversation: 'bob', seq: 8 }])).toBe(false);
  });
});
