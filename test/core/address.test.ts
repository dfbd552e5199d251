import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import {
  addressFromSigningKey,
  AddressError,
  isAddress,
  isWeakSigningKey,
  signingKeyFromAddress,
} from '../../src/core/address.ts';
import { toBase32 } from '../../src/core/bytes.ts';

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'hex'));

const WEAK_KEYS = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
];

describe('relay address', () => {
  it('round-trips a signing key and uses only PeerJS id characters', () => {
    const key = nacl.sign.keyPair().publicKey;
    const address = addressFromSigningKey(key);

    expect(address).toMatch(/^mt1[a-z2-7]{52}$/);
    expect(signingKeyFromAddress(address)).toEqual(key);
    expect(isAddress(address)).toBe(true);
  });

  it('rejects wrong prefixes, lengths and characters', () => {
    const address = addressFromSigningKey(nacl.sign.keyPair().publicKey);

    for (const bad of [address.slice(1), `${address}a`, `mt2${address.slice(3)}`, `${address.slice(0, -1)}1`, '']) {
      expect(() => signingKeyFromAddress(bad), bad).toThrow(AddressError);
      expect(isAddress(bad)).toBe(false);
    }
  });

  it('rejects keys of small order, for which forged signatures verify', () => {
    const identityPoint = hex(WEAK_KEYS[0] ?? '');
    const forgedSignature = new Uint8Array(64);
    forgedSignature[0] = 1;
    expect(nacl.sign.detached.verify(Uint8Array.of(1, 2, 3), forgedSignature, identityPoint)).toBe(true);

    for (const key of WEAK_KEYS) {
      expect(isWeakSigningKey(hex(key)), key).toBe(true);
      expect(() => signingKeyFromAddress(`mt1${toBase32(hex(key))}`), key).toThrow(AddressError);
    }
    expect(isWeakSigningKey(nacl.sign.keyPair().publicKey)).toBe(false);
  });
});
