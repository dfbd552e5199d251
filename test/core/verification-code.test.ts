import { describe, expect, it } from 'vitest';
import { safetyNumber } from '../../src/core/safety-number.ts';
import {
  compareTypedDigits,
  compareVerificationCode,
  createVerificationCode,
  isVerificationCode,
  parseVerificationCode,
  VerificationCodeError,
} from '../../src/core/verification-code.ts';
import { makeUser } from './helpers.ts';

function pair(): { alice: string; bob: string; number: string } {
  const alice = makeUser('Alice').identity;
  const bob = makeUser('Bob').identity;

  return {
    alice: alice.address,
    bob: bob.address,
    number: safetyNumber(alice.signingPublicKey, bob.signingPublicKey),
  };
}

describe('verification code', () => {
  it('round-trips through parse', () => {
    const { alice, bob, number } = pair();

    const code = createVerificationCode(bob, alice, number);
    const parsed = parseVerificationCode(code);

    expect(code).toMatch(/^meshtext-verify:v1:mt1[a-z2-7]+:mt1[a-z2-7]+:\d{60}$/);
    expect(parsed.shownBy).toBe(bob);
    expect(parsed.shownTo).toBe(alice);
    expect(parsed.digits).toBe(number.replace(/ /g, ''));
  });

  it('matches when scanned from the contact', () => {
    const { alice, bob, number } = pair();
    const bobsCode = parseVerificationCode(createVerificationCode(bob, alice, number));

    expect(compareVerificationCode(bobsCode, alice, bob, number)).toBe('match');
  });

  it('reports a different number', () => {
    const { alice, bob, number } = pair();
    const other = pair().number;
    const bobsCode = parseVerificationCode(createVerificationCode(bob, alice, other));

    expect(compareVerificationCode(bobsCode, alice, bob, number)).toBe('different-number');
  });

  it('rejects the own code as another pair', () => {
    const { alice, bob, number } = pair();
    const ownCode = parseVerificationCode(createVerificationCode(alice, bob, number));

    expect(compareVerificationCode(ownCode, alice, bob, number)).toBe('other-pair');
  });

  it('rejects a code for someone else', () => {
    const { alice, bob, number } = pair();
    const carol = makeUser('Carol').identity.address;
    const codeForCarol = parseVerificationCode(createVerificationCode(bob, carol, number));

    expect(compareVerificationCode(codeForCarol, alice, bob, number)).toBe('other-pair');
  });

  it('compares typed digits ignoring separators', () => {
    const { number } = pair();
    const typed = number.replace(/ /g, '-').replace(/(\d{5}-\d{5})-/g, '$1\n');

    expect(compareTypedDigits(typed, number)).toBe('match');
    expect(compareTypedDigits(number.replace(/ /g, ''), number)).toBe('match');
  });

  it('reports typed digits that differ', () => {
    const { number } = pair();
    const lastDigit = number.at(-1) === '0' ? '1' : '0';

    expect(compareTypedDigits(number.slice(0, -1) + lastDigit, number)).toBe('different-number');
  });

  it('rejects typed digits of the wrong length', () => {
    const { number } = pair();

    expect(() => compareTypedDigits(number.slice(0, -6), number)).toThrow(VerificationCodeError);
    expect(() => compareTypedDigits(`${number} 1`, number)).toThrow(VerificationCodeError);
    expect(() => compareTypedDigits('', number)).toThrow(VerificationCodeError);
    expect(() => compareTypedDigits(`o${number.slice(1)}`, number)).toThrow(VerificationCodeError);
  });

  it('rejects malformed codes', () => {
    const { alice, bob, number } = pair();
    const digits = number.replace(/ /g, '');
    const cases = [
      'https://example.org/#/invite/v1.abc',
      `meshtext-verify:v2:${bob}:${alice}:${digits}`,
      `meshtext-verify:v1:${bob}:${alice}`,
      `meshtext-verify:v1:${bob}:${alice}:${digits}:extra`,
      `meshtext-verify:v1:mt1short:${alice}:${digits}`,
      `meshtext-verify:v1:${bob}:${alice}:${digits.slice(1)}`,
    ];

    for (const text of cases) expect(() => parseVerificationCode(text), text).toThrow(VerificationCodeError);
  });

  it('tells codes from other QR content', () => {
    const { alice, bob, number } = pair();

    expect(isVerificationCode(createVerificationCode(bob, alice, number))).toBe(true);
    expect(isVerificationCode('https://example.org/#/invite/v1.abc')).toBe(false);
  });
});
