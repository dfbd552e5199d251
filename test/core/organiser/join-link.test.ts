import { describe, expect, it } from 'vitest';
import { fromBase64Url, fromUtf8, toBase64Url, utf8 } from '../../../src/core/bytes.ts';
import { signCard } from '../../../src/core/card.ts';
import { createJoinLink, JoinLinkError, parseJoinLink } from '../../../src/core/organiser/join-link.ts';
import type { JoinLinkErrorReason } from '../../../src/core/organiser/join-link.ts';
import { makeUser } from '../helpers.ts';

const organiser = makeUser('Olivia');
const list = { id: 'list-0000001', name: 'Volunteers', token: 'token-0123456789abcdef' };
const link = createJoinLink('http://127.0.0.1:8080/app', organiser.identity, signCard(organiser.identity), ['http://127.0.0.1:8080/'], list);

function reasonOf(text: string): JoinLinkErrorReason {
  try {
    parseJoinLink(text);
  } catch (error) {
    if (error instanceof JoinLinkError) return error.reason;
    throw error;
  }
  throw new Error('the join link was accepted');
}

/** Decodes the link's JSON, lets `change` edit it, and encodes it again. */
function rewrite(change: (wire: Record<string, unknown>) => void): string {
  const [base, encoded] = link.split('#/join/v1.');
  const wire = JSON.parse(fromUtf8(fromBase64Url(encoded ?? ''))) as Record<string, unknown>;
  change(wire);

  return `${base}#/join/v1.${toBase64Url(utf8(JSON.stringify(wire)))}`;
}

describe('list join link', () => {
  it('round-trips the organiser card and list', () => {
    const offer = parseJoinLink(link);

    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:8080\/app#\/join\/v1\./);
    expect(offer.organiser.address).toBe(organiser.identity.address);
    expect(offer.organiser.displayName).toBe('Olivia');
    expect(offer.list).toEqual(list);
    expect(offer.relays).toEqual(['http://127.0.0.1:8080/']);
  });

  it('accepts the bare fragment with spaces around it', () => {
    expect(parseJoinLink(`  ${link.slice(link.indexOf('#'))}\n`).list.id).toBe(list.id);
  });

  it('rejects empty, oversized and foreign links', () => {
    expect(reasonOf('  ')).toBe('empty');
    expect(reasonOf(`${link}${'a'.repeat(5000)}`)).toBe('too-long');
    expect(reasonOf('https://example.org/#/invite/v1.abc')).toBe('not-a-join-link');
  });

  it('rejects a damaged or cut link', () => {
    expect(reasonOf(link.slice(0, link.length - 40))).toBe('damaged');
    expect(reasonOf(`${link}!`)).toBe('damaged');
    expect(reasonOf('http://127.0.0.1:8080/#/join/v1.')).toBe('damaged');
    expect(reasonOf(rewrite((wire) => delete wire.list))).toBe('damaged');
    expect(reasonOf(rewrite((wire) => (wire.list = { ...list, id: 'x' })))).toBe('damaged');
    expect(reasonOf(rewrite((wire) => (wire.signature = 42)))).toBe('damaged');
  });

  it('rejects an unknown version', () => {
    expect(reasonOf(link.replace('#/join/v1.', '#/join/v2.'))).toBe('version');
    expect(reasonOf(rewrite((wire) => (wire.v = 2)))).toBe('version');
  });

  it('rejects a tampered list name, id or token', () => {
    expect(reasonOf(rewrite((wire) => (wire.list = { ...list, name: 'Admins' })))).toBe('altered');
    expect(reasonOf(rewrite((wire) => (wire.list = { ...list, id: 'list-0000002' })))).toBe('altered');
    expect(reasonOf(rewrite((wire) => (wire.list = { ...list, token: 'token-fedcba9876543210' })))).toBe('altered');
  });

  it('rejects a list moved onto another card', () => {
    const other = makeUser('Mallory');

    expect(reasonOf(rewrite((wire) => ((wire.card = other.card.wire), (wire.address = other.card.address))))).toBe('altered');
    expect(reasonOf(rewrite((wire) => (wire.address = other.card.address)))).toBe('altered');
    expect(reasonOf(rewrite((wire) => (wire.card = { ...other.card.wire, name: 'Olivia' })))).toBe('altered');
  });

  it('explains the reason in its message', () => {
    expect(() => parseJoinLink(rewrite((wire) => (wire.list = { ...list, name: 'Admins' })))).toThrow(/altered/);
  });
});
