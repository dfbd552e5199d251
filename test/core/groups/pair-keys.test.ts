import { describe, expect, it } from 'vitest';
import { toBase64Url } from '../../../src/core/bytes.ts';
import { authenticate, PairKeys } from '../../../src/core/groups/pair-keys.ts';
import { makeUser, randomBytes } from '../helpers.ts';

const alice = makeUser('Alice').identity;
const bob = makeUser('Bob').identity;
const bobBoxKey = toBase64Url(bob.boxPublicKey);
const aliceBoxKey = toBase64Url(alice.boxPublicKey);

describe('pair keys', () => {
  it('derive the same keys on both sides of a pair', () => {
    const digest = randomBytes(32);
    const fromAlice = new PairKeys(alice.boxSecretKey).get(bobBoxKey);
    const fromBob = new PairKeys(bob.boxSecretKey).get(aliceBoxKey);

    expect(fromAlice.wrapKey).toEqual(fromBob.wrapKey);
    expect(authenticate(fromAlice, digest)).toEqual(authenticate(fromBob, digest));
    expect(fromAlice.wrapKey).not.toEqual(authenticate(fromAlice, digest));
  });

  it('hand computed keys to storage once and reuse stored ones', () => {
    const digest = randomBytes(32);
    const keys = new PairKeys(alice.boxSecretKey);
    const computed = keys.get(bobBoxKey);
    const unsaved = keys.takeUnsaved();

    expect(unsaved.map((row) => row.boxKey)).toEqual([bobBoxKey]);
    expect(keys.takeUnsaved()).toEqual([]);

    const restored = new PairKeys(alice.boxSecretKey, unsaved);
    expect(authenticate(restored.get(bobBoxKey), digest)).toEqual(authenticate(computed, digest));
    expect(restored.takeUnsaved()).toEqual([]);
  });

  it('rejects a box key of the wrong length', () => {
    expect(() => new PairKeys(alice.boxSecretKey).get(toBase64Url(randomBytes(16)))).toThrow('box key has 16 bytes, expected 32');
  });
});
