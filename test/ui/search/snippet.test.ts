import { describe, expect, it } from 'vitest';
import { SNIPPET_CHARACTERS, buildSnippet } from '../../../src/ui/search/snippet.ts';

function marked(text: string, words: string[]): string {
  return buildSnippet(text, words)
    .map((part) => (part.isMatch ? `[${part.text}]` : part.text))
    .join('');
}

describe('buildSnippet', () => {
  it('marks every searched word in its original spelling', () => {
    expect(marked('Meet at the Café, then the café bar', ['cafe'])).toBe('Meet at the [Café], then the [café] bar');
  });

  it('marks prefixes of words', () => {
    expect(marked('lighthouse inventory', ['lighthouse', 'invent'])).toBe('[lighthouse] [invent]ory');
  });

  it('starts near the first match in a long text', () => {
    const text = `${'filler '.repeat(40)}needle ${'tail '.repeat(40)}`;
    const snippet = marked(text, ['needle']);

    expect(snippet.startsWith('…')).toBe(true);
    expect(snippet.endsWith('…')).toBe(true);
    expect(snippet).toContain('[needle]');
    expect(snippet.length).toBeLessThanOrEqual(SNIPPET_CHARACTERS + 4);
  });

  it('cuts between words, not inside them', () => {
    const text = `${'abcdefghij '.repeat(10)}needle ${'klmnopqrst '.repeat(20)}`;
    const snippet = marked(text, ['needle']);

    expect(snippet).toMatch(/^…(abcdefghij |\[needle\])/);
    expect(snippet).toMatch(/(klmnopqrst|\[needle\])…$/);
  });

  it('shows the start without marks when folding changes the length', () => {
    expect(marked('ﬁne ﬁsh', ['fish'])).toBe('ﬁne ﬁsh');
  });

  it('returns the text when nothing matches', () => {
    expect(marked('plain text', ['absent'])).toBe('plain text');
  });
});
