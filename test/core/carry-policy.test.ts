import { describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url } from '../../src/core/bytes.ts';
import type { CarryOfferPayload } from '../../src/core/carry-payloads.ts';
import { MAX_CARRIED_ENVELOPE_BYTES, validateCarryPayload } from '../../src/core/carry-payloads.ts';
import type { CarryCircle } from '../../src/core/carry-policy.ts';
import { DEFAULT_CARRY_QUOTA, MAX_CARRY_HOPS, takeForCarrying } from '../../src/core/carry-policy.ts';
import { carryTag } from '../../src/core/carry-store-port.ts';
import { contactFromCard } from '../../src/core/contact-cards.ts';
import { DEFAULT_ENVELOPE_TTL_MS, sealEnvelope } from '../../src/core/crypto/envelope.ts';
import { FrameError } from '../../src/core/errors.ts';
import { silentLogger } from '../../src/core/ports.ts';
import { makeUser, randomBytes } from './helpers.ts';
import { MemoryCarryStore } from './memory-carry-store.ts';
import { MemoryStorage } from './memory-storage.ts';

const NOW = 1_800_000_000_000;
const alice = makeUser('Alice');
const bob = makeUser('Bob');
const stranger = makeUser('Mallory');

function sealedForBob(): string {
  const contents = { id: 'message-0001', instance: alice.identity.instanceId, seq: 1, createdAt: NOW, ttlMs: DEFAULT_ENVELOPE_TTL_MS, payload: new Uint8Array(10) };

  return toBase64Url(sealEnvelope(alice.identity, alice.card.wire, bob.identity.boxPublicKey, contents, randomBytes));
}

function offer(changes: Partial<CarryOfferPayload> = {}): CarryOfferPayload {
  return { t: 'carry', ref: toBase64Url(randomBytes(12)), tag: carryTag(bob.card.address), expiresAt: NOW + DEFAULT_ENVELOPE_TTL_MS, hops: 1, envelope: sealedForBob(), ...changes };
}

/** Carol's view: Alice and Bob are her contacts. */
async function carolSetup(circle?: CarryCircle): Promise<{ storage: MemoryStorage; store: MemoryCarryStore; take: (handedBy: string, payload: CarryOfferPayload) => ReturnType<typeof takeForCarrying> }> {
  const storage = new MemoryStorage();
  const store = new MemoryCarryStore();
  await storage.putContact(contactFromCard(alice.card, NOW));
  await storage.putContact(contactFromCard(bob.card, NOW));
  const options = { storage, store, logger: silentLogger, quota: DEFAULT_CARRY_QUOTA, circle: () => circle };

  return { storage, store, take: (handedBy, payload) => takeForCarrying(options, handedBy, payload, NOW) };
}

describe('carry policy', () => {
  it('takes a sealed envelope from a contact for a contact', async () => {
    const { store, take } = await carolSetup();

    expect(await take(alice.card.address, offer())).toBe('carried');
    const [row] = [...store.rows.values()];
    expect(row?.handedBy).toBe(alice.card.address);
    expect(row?.tag).toBe(carryTag(bob.card.address));
  });

  it('stores the same envelope bytes once', async () => {
    const { store, take } = await carolSetup();
    const repeated = offer();

    expect(await take(alice.card.address, repeated)).toBe('carried');
    expect(await take(alice.card.address, { ...repeated, ref: 'another-ref-1' })).toBe('duplicate');
    expect(store.rows.size).toBe(1);
  });

  it('enforces the hop limit', async () => {
    const { store, take } = await carolSetup();

    expect(await take(alice.card.address, offer({ hops: MAX_CARRY_HOPS }))).toBe('hop-limit');
    expect(await take(alice.card.address, offer({ hops: MAX_CARRY_HOPS + 1 }))).toBe('hop-limit');
    expect(store.rows.size).toBe(0);
  });

  it('rejects an expired offer and one that expires too late', async () => {
    const { store, take } = await carolSetup();

    expect(await take(alice.card.address, offer({ expiresAt: NOW }))).toBe('expired');
    expect(await take(alice.card.address, offer({ expiresAt: NOW + 2 * DEFAULT_ENVELOPE_TTL_MS }))).toBe('invalid');
    expect(store.rows.size).toBe(0);
  });

  it('carries only for contacts while the setting is on', async () => {
    const { store, take } = await carolSetup();

    expect(await take(stranger.card.address, offer())).toBe('not-carrying');
    store.settings = { carryForContacts: false };
    expect(await take(alice.card.address, offer())).toBe('not-carrying');
    expect(store.rows.size).toBe(0);
  });

  it('rejects a blocked contact and an unknown recipient', async () => {
    const { storage, take } = await carolSetup();

    expect(await take(alice.card.address, offer({ tag: carryTag(stranger.card.address) }))).toBe('unknown-recipient');
    await storage.updateContact(alice.card.address, { state: 'blocked' });
    expect(await take(alice.card.address, offer())).toBe('not-carrying');
  });

  it('carries for members of a registered circle', async () => {
    const circle: CarryCircle = {
      carriersFor: async () => [],
      carriesFor: async (peer) => peer === stranger.card.address,
      recipients: async () => [stranger.card.address],
    };
    const { take } = await carolSetup(circle);

    expect(await take(stranger.card.address, offer())).toBe('carried');
    expect(await take(alice.card.address, offer({ tag: carryTag(stranger.card.address) }))).toBe('carried');
  });

  it('rejects bytes that are not an envelope', async () => {
    const { take } = await carolSetup();

    expect(await take(alice.card.address, offer({ envelope: toBase64Url(randomBytes(80)) }))).toBe('invalid');
    expect(await take(alice.card.address, offer({ tag: carryTag(alice.card.address) }))).toBe('invalid');
  });

  it('reports a full quota by count and by bytes', async () => {
    const storage = new MemoryStorage();
    const store = new MemoryCarryStore();
    await storage.putContact(contactFromCard(alice.card, NOW));
    await storage.putContact(contactFromCard(bob.card, NOW));
    const envelopeBytes = fromBase64Url(sealedForBob()).length;
    const byCount = { storage, store, logger: silentLogger, quota: { maxEnvelopes: 1, maxBytes: 1_000_000 }, circle: () => undefined };
    // Room for one and a half envelopes per peer.
    const byBytes = { ...byCount, quota: { maxEnvelopes: 100, maxBytes: Math.floor(envelopeBytes * 1.5) } };

    expect(await takeForCarrying(byCount, alice.card.address, offer(), NOW)).toBe('carried');
    expect(await takeForCarrying(byCount, alice.card.address, offer(), NOW)).toBe('quota-exceeded');
    expect(await takeForCarrying(byBytes, alice.card.address, offer(), NOW)).toBe('quota-exceeded');
    expect(await takeForCarrying(byBytes, bob.card.address, offer({ tag: carryTag(alice.card.address) }), NOW)).toBe('carried');
  });

  it('reports a storage failure as failed', async () => {
    const { store, take } = await carolSetup();
    store.failWrites = true;

    expect(await take(alice.card.address, offer())).toBe('failed');
  });
});

describe('carry payloads', () => {
  it('rejects invalid fields', () => {
    const valid = { ...offer() } as unknown as Record<string, unknown>;

    expect(validateCarryPayload(valid)).toEqual(valid);
    expect(() => validateCarryPayload({ ...valid, ref: 'x' })).toThrow(FrameError);
    expect(() => validateCarryPayload({ ...valid, tag: 'short' })).toThrow(FrameError);
    expect(() => validateCarryPayload({ ...valid, hops: 0 })).toThrow(FrameError);
    expect(() => validateCarryPayload({ ...valid, expiresAt: 'soon' })).toThrow(FrameError);
    expect(() => validateCarryPayload({ ...valid, envelope: 'not base64!' })).toThrow(FrameError);
    expect(() => validateCarryPayload({ ...valid, envelope: 'A'.repeat(Math.ceil((MAX_CARRIED_ENVELOPE_BYTES * 4) / 3) + 4) })).toThrow(FrameError);
    expect(() => validateCarryPayload({ t: 'carry-result', ref: 'result-ref-1', outcome: 'lost' })).toThrow(FrameError);
    expect(() => validateCarryPayload({ t: 'carry-status', carrying: 'yes' })).toThrow(FrameError);
    expect(validateCarryPayload({ t: 'carry-status', carrying: false })).toEqual({ t: 'carry-status', carrying: false });
    expect(validateCarryPayload({ t: 'carry-result', ref: 'result-ref-1', outcome: 'quota-exceeded' })).toEqual({
      t: 'carry-result',
      ref: 'result-ref-1',
      outcome: 'quota-exceeded',
    });
  });
});
