import { describe, expect, it } from 'vitest';
import { composeSharedText, findInviteLink } from '../../../src/ui/state/shared-content.ts';
import { parseShortcut } from '../../../src/ui/state/shortcut-fragment.ts';

describe('composeSharedText', () => {
  it.each([
    [{ title: 'Page', text: 'Look', url: 'https://example.org/a' }, 'Look https://example.org/a'],
    [{ text: 'Look at https://example.org/a', url: 'https://example.org/a' }, 'Look at https://example.org/a'],
    [{ title: 'Page', url: 'https://example.org/a' }, 'https://example.org/a'],
    [{ title: 'Only a title' }, 'Only a title'],
    [{ title: '  ', text: ' ', url: '' }, undefined],
    [{}, undefined],
  ])('joins %o into %o', (fields, expected) => {
    expect(composeSharedText(new URLSearchParams(fields))).toBe(expected);
  });
});

describe('findInviteLink', () => {
  it('finds an invite inside other text', () => {
    const link = 'https://meshtext.example/#/invite/v1.abc_DEF-123';

    expect(findInviteLink(`Add me: ${link} thanks`)).toBe(link);
  });

  it('ignores other links', () => {
    expect(findInviteLink('https://example.org/#/other')).toBeUndefined();
  });
});

describe('parseShortcut', () => {
  it.each([
    ['#/share-invite', { kind: 'share-invite' }],
    ['#/add-contact', { kind: 'add-contact' }],
    ['#/chat/mt1abc', { kind: 'open-chat', address: 'mt1abc' }],
    ['#/chat/', undefined],
    ['#/chat/%E0%A4%A', undefined],
    ['#/invite/v1.x', undefined],
    ['', undefined],
  ])('parses %s', (hash, expected) => {
    expect(parseShortcut(hash)).toEqual(expected);
  });
});
