import { describe, expect, it } from 'vitest';
import { fromUtf8, utf8 } from '../../../src/core/bytes.ts';
import type { Card } from '../../../src/core/card.ts';
import {
  DEFAULT_ENVELOPE_TTL_MS,
  MAX_CLOCK_SKEW_MS,
  MAX_ENVELOPE_BYTES,
  openEnvelope,
  sealEnvelope,
} from '../../../src/core/crypto/envelope.ts';
import type { EnvelopeContents } from '../../../src/core/crypto/envelope.ts';
import { DecryptError, FrameError } from '../../../src/core/errors.ts';
import { makeUser, randomBytes } from '../helpers.ts';
import type { TestUser } from '../helpers.ts';

const NOW = 1_760_000_000_000;

function contents(overrides: Partial<EnvelopeContents> = {}): EnvelopeContents {
  return {
    id: 'envelope-id-0001',
    instance: 'instance-0001',
    seq: 7,
    createdAt: NOW,
    ttlMs: DEFAULT_ENVELOPE_TTL_MS,
    payload: utf8('meet at the north gate'),
    ...overrides,
  };
}

function seal(from: TestUser, to: TestUser, overrides: Partial<EnvelopeContents> = {}): Uint8Array {
  return sealEnvelope(from.identity, from.card.wire, to.identity.boxPublicKey, contents(overrides), randomBytes);
}

const noKnownCards = (): Card | undefined => undefined;

describe('sealed envelope', () => {
  it('opens for the recipient with sender, ids and payload from inside', () => {
    const alice = makeUser('Alice');
    const bob = makeUser('Bob');
    const opened = openEnvelope(bob.identity, seal(alice, bob), NOW + 1000, noKnownCards);

    expect(opened.sender.address).toBe(alice.identity.address);
    expect(opened.id).toBe('envelope-id-0001');
    expect(opened.seq).toBe(7);
    expect(fromUtf8(opened.payload)).toBe('meet at the north gate');
  });

  it('does not open for anyone else', () => {
    const alice = makeUser('Alice');
    const bob = makeUser('Bob');
    const carol = makeUser('Carol');

    expect(() => openEnvelope(carol.identity, seal(alice, bob), NOW, noKnownCards)).toThrow(DecryptError);
  });

  it('shows no plaintext, name or sender address to the carrier', () => {
    const alice = makeUser('Alice');
    const bob = makeUser('Bob');
    const carried = Buffer.from(seal(alice, bob)).toString('latin1');

    expect(carried).not.toContain('north gate');
    expect(carried).not.toContain('Alice');
    expect(carried).not.toContain(alice.card.wire.signingKey);
  });

  it('rejects every single-bit flip', () => {
    const alice = makeUser('Alice');
    const bob = makeUser('Bob');
    const envelope = seal(alice, bob, { payload: utf8('short') });

    for (let bit = 0; bit < envelope.length * 8; bit++) {
      const flipped = envelope.slice();
      flipped[bit >> 3] = (flipped[bit >> 3] ?? 0) ^ (1 << (bit & 7));
      expect(() => openEnvelope(bob.identity, flipped, NOW, noKnownCards), `bit ${bit}`).toThrow(/envelope/);
    }
  });

  it('rejects a sender card claimed by someone without its key', () => {
    const alice = makeUser('Alice');
    const bob = makeUser('Bob');
    const mallory = makeUser('Mallory');
    // Mallory seals with her own box key but presents Alice's public card.
    const forged = sealEnvelope(mallory.identity, alice.card.wire, bob.identity.boxPublicKey, contents(), randomBytes);

    expect(() => openEnvelope(bob.identity, forged, NOW, noKnownCards)).toThrow(DecryptError);
  });

  it('rejects an envelope older than its time to live plus the allowed skew', () => {
    const alice = makeUser('Alice');
    const bob = makeUser('Bob');
    const envelope = seal(alice, bob, { ttlMs: 60_000 });

    expect(() => openEnvelope(bob.identity, envelope, NOW + 60_000 + MAX_CLOCK_SKEW_MS - 1, noKnownCards)).not.toThrow();
    expect(() => openEnvelope(bob.identity, envelope, NOW + 60_000 + MAX_CLOCK_SKEW_MS + 1, noKnownCards)).toThrow(/expired/);
  });

  it('rejects an envelope created beyond the allowed skew in the future', () => {
    const alice = makeUser('Alice');
    const bob = makeUser('Bob');

    expect(() => openEnvelope(bob.identity, seal(alice, bob), NOW - MAX_CLOCK_SKEW_MS - 1, noKnownCards)).toThrow(/future/);
  });

  it('rejects an oversize envelope before decrypting it', () => {
    const bob = makeUser('Bob');

    expect(() => openEnvelope(bob.identity, new Uint8Array(MAX_ENVELOPE_BYTES + 1), NOW, noKnownCards)).toThrow(FrameError);
  });
});
