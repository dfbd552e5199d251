import { describe, expect, it } from 'vitest';
import { safetyNumber, safetyNumbersMatch } from '../../src/core/safety-number.ts';
import { makeUser } from './helpers.ts';

describe('safety number', () => {
  it('is the same on both sides', () => {
    const alice = makeUser('Alice').identity;
    const bob = makeUser('Bob').identity;

    expect(safetyNumber(alice.signingPublicKey, bob.signingPublicKey)).toBe(
      safetyNumber(bob.signingPublicKey, alice.signingPublicKey),
    );
  });

  it('has twelve groups of five digits', () => {
    const alice = makeUser('Alice').identity;
    const bob = makeUser('Bob').identity;

    expect(safetyNumber(alice.signingPublicKey, bob.signingPublicKey)).toMatch(/^(\d{5} ){11}\d{5}$/);
  });

  it('changes when either key changes', () => {
    const alice = makeUser('Alice').identity;
    const bob = makeUser('Bob').identity;
    const mallory = makeUser('Mallory').identity;

    expect(safetyNumber(alice.signingPublicKey, bob.signingPublicKey)).not.toBe(
      safetyNumber(alice.signingPublicKey, mallory.signingPublicKey),
    );
  });

  it('matches typed digits regardless of spacing', () => {
    expect(safetyNumbersMatch('12345 67890', '1234567890')).toBe(true);
    expect(safetyNumbersMatch('12345 67890', '12345 67891')).toBe(false);
  });
});
