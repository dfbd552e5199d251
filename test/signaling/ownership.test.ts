import { createPublicKey, verify } from 'node:crypto';
import nacl from 'tweetnacl';
import { describe, expect, test } from 'vitest';
import { addressFromSigningKey } from '../../src/core/address.ts';
import { toBase64Url } from '../../src/core/bytes.ts';
import { formatRelayToken } from '../../src/core/relay-proof.ts';
import { CHALLENGE_TTL_MS, createChallengeStore } from '../../signaling/challenge-store.ts';
import { ProofError, verifyAddressProof, type ProofRejection } from '../../signaling/ownership.ts';
import { createIdentity, signToken } from './relay-client.ts';

// R = the identity point (encoded as y = 1) and S = 0.
const IDENTITY_POINT_ZERO_SIGNATURE = Buffer.from('01'.padEnd(128, '0'), 'hex');

// Public keys of small order (y = 0, 1, p - 1, and both points of order 8), then two
// non-canonical encodings with y >= p.
const WEAK_KEYS = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
];

function rejectionOf(run: () => void): ProofRejection | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof ProofError) return error.reason;
    throw error;
  }

  return undefined;
}

describe('address proof', () => {
  test('valid signature is accepted', () => {
    const store = createChallengeStore();
    const alice = createIdentity();

    expect(rejectionOf(() => verifyAddressProof(alice.address, signToken(alice, store.issue()), store))).toBeUndefined();
  });

  test('signature by another key is rejected', () => {
    const store = createChallengeStore();
    const alice = createIdentity();
    const mallory = createIdentity();

    expect(rejectionOf(() => verifyAddressProof(alice.address, signToken(mallory, store.issue()), store))).toBe(
      'invalid-signature',
    );
  });

  test('signature over other challenge is rejected', () => {
    const store = createChallengeStore();
    const alice = createIdentity();
    const issued = store.issue();
    const signedOther = signToken(alice, store.issue());
    const swapped = formatRelayToken(issued, signedOther.split('.')[1] ?? '');

    expect(rejectionOf(() => verifyAddressProof(alice.address, swapped, store))).toBe('invalid-signature');
  });

  test('failed attempt consumes challenge', () => {
    const store = createChallengeStore();
    const alice = createIdentity();
    const challenge = store.issue();

    rejectionOf(() => verifyAddressProof(alice.address, signToken(createIdentity(), challenge), store));

    expect(rejectionOf(() => verifyAddressProof(alice.address, signToken(alice, challenge), store))).toBe(
      'unknown-challenge',
    );
  });

  test('expired challenge is rejected', () => {
    let nowMs = 0;
    const store = createChallengeStore({ now: () => nowMs });
    const alice = createIdentity();
    const token = signToken(alice, store.issue());

    nowMs += CHALLENGE_TTL_MS;

    expect(rejectionOf(() => verifyAddressProof(alice.address, token, store))).toBe('expired-challenge');
  });

  test('invalid address is rejected before challenge use', () => {
    const store = createChallengeStore();
    const alice = createIdentity();
    const challenge = store.issue();

    expect(rejectionOf(() => verifyAddressProof(`${alice.address}x`, signToken(alice, challenge), store))).toBe(
      'invalid-address',
    );
    expect(store.consume(challenge)).toBe('valid');
  });

  test('malformed tokens are rejected', () => {
    const store = createChallengeStore();
    const alice = createIdentity();
    const challenge = store.issue();
    const cases = ['', 'nodot', `.${'A'.repeat(86)}`, `${challenge}.short`, `${challenge}.${'!'.repeat(86)}`];

    for (const token of cases) {
      expect(rejectionOf(() => verifyAddressProof(alice.address, token, store)), token).toBe('malformed-token');
    }
  });

  test('small-order and non-canonical keys are rejected', () => {
    const store = createChallengeStore();

    for (const hex of WEAK_KEYS) {
      const address = addressFromSigningKey(Buffer.from(hex, 'hex'));
      const token = formatRelayToken(store.issue(), toBase64Url(IDENTITY_POINT_ZERO_SIGNATURE));

      expect(rejectionOf(() => verifyAddressProof(address, token, store)), hex).toBe('invalid-address');
    }
  });

  test('node crypto alone accepts forgeries for weak keys', () => {
    // Documents why the relay checks keys itself. The forged signature verifies for a message
    // whenever its hash, times the key, gives the identity point: always for the identity key,
    // and for about one message in 8 for a point of order 8.
    for (const hex of WEAK_KEYS) {
      const publicKey = createPublicKey({
        key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(hex, 'hex')]),
        format: 'der',
        type: 'spki',
      });
      const messages = Array.from({ length: 100 }, (_, i) => Buffer.from(`message ${i}`));
      const forgedCount = messages.filter((message) => verify(null, message, publicKey, IDENTITY_POINT_ZERO_SIGNATURE)).length;

      expect(forgedCount, hex).toBeGreaterThan(0);
    }
  });

  test('tweetnacl and node crypto agree on signatures', () => {
    const store = createChallengeStore();
    const keyPair = nacl.sign.keyPair.fromSeed(new Uint8Array(32).fill(1));
    const identity = { address: addressFromSigningKey(keyPair.publicKey), secretKey: keyPair.secretKey };

    for (let i = 0; i < 20; i++) {
      expect(rejectionOf(() => verifyAddressProof(identity.address, signToken(identity, store.issue()), store))).toBeUndefined();
    }
  });
});
