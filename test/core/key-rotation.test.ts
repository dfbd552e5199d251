import { createPublicKey, verify } from 'node:crypto';
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url } from '../../src/core/bytes.ts';
import { createIdentity } from '../../src/core/identity.ts';
import type { WireRotation } from '../../src/core/key-rotation.ts';
import { MAX_ROTATION_CLOCK_SKEW_MS, RotationError, signRotation, verifyRotation } from '../../src/core/key-rotation.ts';
import { decodePayload, encodePayload } from '../../src/core/messages.ts';
import { FrameError } from '../../src/core/errors.ts';

const issuedAt = 1_700_000_100_000;
const now = issuedAt + 1_000;

function identities() {
  return {
    previous: createIdentity('Bob', nacl.randomBytes, 1),
    next: createIdentity('Bob', nacl.randomBytes, 2),
    stranger: createIdentity('Mallory', nacl.randomBytes, 3),
  };
}

/** Returns a copy of base64url `text` with one bit flipped in byte `index`. */
function flipBit(text: string, index: number): string {
  const bytes = fromBase64Url(text);
  bytes[index] = (bytes[index] ?? 0) ^ 0x01;

  return toBase64Url(bytes);
}

describe('rotation statement', () => {
  it('round-trips through verification', () => {
    const { previous, next } = identities();

    const verified = verifyRotation(signRotation(previous, next, issuedAt), now);

    expect(verified.oldAddress).toBe(previous.address);
    expect(verified.newAddress).toBe(next.address);
    expect(verified.issuedAt).toBe(issuedAt);
  });

  it('round-trips inside a chat payload', () => {
    const { previous, next } = identities();
    const rotation = signRotation(previous, next, issuedAt);
    const payload = { t: 'msg' as const, id: 'rotation-0001', instance: 'instance-0001', seq: 3, sentAt: issuedAt, text: '', rotation };

    const decoded = decodePayload(encodePayload(payload));

    expect(decoded).toEqual(payload);
  });

  it('rejects a payload that carries text next to a rotation', () => {
    const { previous, next } = identities();
    const rotation = signRotation(previous, next, issuedAt);
    const payload = { t: 'msg' as const, id: 'rotation-0001', instance: 'instance-0001', seq: 3, sentAt: issuedAt, text: 'hi', rotation };

    expect(() => decodePayload(encodePayload(payload))).toThrow(FrameError);
  });

  it('rejects a payload whose rotation is malformed', () => {
    const bytes = new TextEncoder().encode(
      JSON.stringify({ t: 'msg', id: 'rotation-0001', instance: 'instance-0001', seq: 3, sentAt: 1, text: '', rotation: { v: 2 } }),
    );

    expect(() => decodePayload(bytes)).toThrow(/rotation is invalid/);
  });

  it('refuses to sign a rotation to the same key', () => {
    const { previous } = identities();

    expect(() => signRotation(previous, previous, issuedAt)).toThrow(RangeError);
  });
});

describe('rotation statement signatures', () => {
  const ed25519SpkiPrefix = Buffer.from('302a300506032b6570032100', 'hex');

  it('verify with node:crypto over the documented message', () => {
    const { previous, next } = identities();
    const rotation = signRotation(previous, next, issuedAt);
    const time = Buffer.alloc(8);
    time.writeBigUInt64BE(BigInt(issuedAt));
    const message = Buffer.concat([Buffer.from('meshtext rotation v1\0'), previous.signingPublicKey, next.signingPublicKey, time]);

    for (const [key, signature] of [
      [previous.signingPublicKey, rotation.oldSignature],
      [next.signingPublicKey, rotation.newSignature],
    ] as const) {
      const publicKey = createPublicKey({ key: Buffer.concat([ed25519SpkiPrefix, key]), format: 'der', type: 'spki' });
      expect(verify(null, message, publicKey, fromBase64Url(signature))).toBe(true);
    }
  });
});

describe('forged rotation statement', () => {
  it('is rejected when another key signed for the old key', () => {
    const { previous, next, stranger } = identities();
    const byStranger = signRotation(stranger, next, issuedAt);
    const forged: WireRotation = { ...byStranger, oldKey: toBase64Url(previous.signingPublicKey) };

    expect(() => verifyRotation(forged, now)).toThrow(new RotationError('rotation old signature does not match the old key'));
  });

  it('is rejected when the new key did not sign', () => {
    const { previous, next, stranger } = identities();
    const honest = signRotation(previous, next, issuedAt);
    const forged: WireRotation = { ...honest, newKey: toBase64Url(stranger.signingPublicKey) };

    // The old signature covers the new key too, so swapping the new key breaks it first.
    expect(() => verifyRotation(forged, now)).toThrow(RotationError);

    const withStrangerSignature = signRotation(previous, stranger, issuedAt);
    const mixed: WireRotation = { ...withStrangerSignature, newKey: honest.newKey, oldSignature: honest.oldSignature };
    expect(() => verifyRotation(mixed, now)).toThrow(new RotationError('rotation new signature does not match the new key'));
  });

  it.each(['oldKey', 'newKey', 'oldSignature', 'newSignature'] as const)('is rejected after a bit flip in %s', (field) => {
    const { previous, next } = identities();
    const honest = signRotation(previous, next, issuedAt);
    const length = fromBase64Url(honest[field]).length;

    for (const index of [0, Math.floor(length / 2), length - 1]) {
      const flipped: WireRotation = { ...honest, [field]: flipBit(honest[field], index) };
      expect(() => verifyRotation(flipped, now), `byte ${index}`).toThrow(RotationError);
    }
  });

  it('is rejected after a change of its time', () => {
    const { previous, next } = identities();
    const honest = signRotation(previous, next, issuedAt);

    expect(() => verifyRotation({ ...honest, issuedAt: issuedAt - 1 }, now)).toThrow(RotationError);
    expect(() => verifyRotation({ ...honest, issuedAt: issuedAt ^ 1 }, now)).toThrow(RotationError);
  });

  it('is rejected when it names the same key twice', () => {
    const { previous, next } = identities();
    const honest = signRotation(previous, next, issuedAt);

    expect(() => verifyRotation({ ...honest, newKey: honest.oldKey }, now)).toThrow(new RotationError('rotation names the same key twice'));
  });

  it('is rejected when issued beyond the clock skew', () => {
    const { previous, next } = identities();
    const future = signRotation(previous, next, now + MAX_ROTATION_CLOCK_SKEW_MS + 1);

    expect(() => verifyRotation(future, now)).toThrow(new RotationError('rotation was issued in the future'));
  });

  it.each([
    ['not an object', 'rotation'],
    ['another version', { v: 2 }],
    ['keys missing', { v: 1, issuedAt: 1, oldSignature: 'a', newSignature: 'b' }],
    ['a short key', { v: 1, oldKey: 'AAAA', newKey: 'AAAA', issuedAt: 1, oldSignature: 'a', newSignature: 'b' }],
    ['a bad time', { v: 1, oldKey: 'a', newKey: 'b', issuedAt: -1, oldSignature: 'a', newSignature: 'b' }],
  ])('is rejected when it is %s', (_, input) => {
    expect(() => verifyRotation(input, now)).toThrow(RotationError);
  });
});
