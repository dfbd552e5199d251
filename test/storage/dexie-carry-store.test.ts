import 'fake-indexeddb/auto';
import nacl from 'tweetnacl';
import { afterEach, describe, expect, it } from 'vitest';
import type { CarriedEnvelope } from '../../src/core/carry-store-port.ts';
import { carriedEnvelopeKey, CarrierQuotaError } from '../../src/core/carry-store-port.ts';
import type { MeshtextDatabase } from '../../src/storage/database.ts';
import { openDatabase } from '../../src/storage/database.ts';
import { DexieCarryStore } from '../../src/storage/dexie-carry-store.ts';
import { DexieStorage } from '../../src/storage/dexie-storage.ts';

const opened: MeshtextDatabase[] = [];
let databaseCount = 0;
const QUOTA = { maxEnvelopes: 3, maxBytes: 10_000 };

function openStore(name = `meshtext-carry-test-${databaseCount++}`): DexieCarryStore {
  const db = openDatabase(name);
  opened.push(db);

  return new DexieCarryStore(db);
}

function carried(changes: Partial<CarriedEnvelope> = {}, size = 100): CarriedEnvelope {
  const envelope = nacl.randomBytes(size);

  return { key: carriedEnvelopeKey(envelope), tag: 'tag-of-bob-0000000000a', handedBy: 'mt1alice', hops: 1, expiresAt: 2_000, receivedAt: 1_000, envelope, ...changes };
}

afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

describe('dexie carry store', () => {
  it('stores an envelope once and lists it by tag', async () => {
    const store = openStore();
    const row = carried();

    expect(await store.add(row, QUOTA)).toBe('stored');
    expect(await store.add(row, QUOTA)).toBe('duplicate');
    const listed = await store.listForTag(row.tag, 1_500);
    expect(listed).toHaveLength(1);
    expect(listed[0]?.envelope).toEqual(row.envelope);
    expect(await store.listForTag('tag-of-someone-else-00', 1_500)).toEqual([]);
  });

  it('rejects what goes over the per-peer quota', async () => {
    const store = openStore();
    for (let index = 0; index < QUOTA.maxEnvelopes; index++) await store.add(carried(), QUOTA);

    await expect(store.add(carried(), QUOTA)).rejects.toThrow(CarrierQuotaError);
    expect(await store.add(carried({ handedBy: 'mt1carol' }), QUOTA)).toBe('stored');
    await expect(store.add(carried({ handedBy: 'mt1dave' }, QUOTA.maxBytes + 1), QUOTA)).rejects.toThrow(CarrierQuotaError);
  });

  it('leaves expired envelopes out and sweeps them', async () => {
    const store = openStore();
    await store.add(carried({ expiresAt: 1_200 }), QUOTA);
    await store.add(carried({ expiresAt: 3_000 }), QUOTA);

    expect(await store.listForTag('tag-of-bob-0000000000a', 1_200)).toHaveLength(1);
    expect(await store.deleteExpired(1_200)).toBe(1);
    expect(await store.deleteExpired(1_200)).toBe(0);
    expect(await store.listForTag('tag-of-bob-0000000000a', 0)).toHaveLength(1);
  });

  it('keeps envelopes and the setting across a reopen', async () => {
    const name = `meshtext-carry-test-${databaseCount++}`;
    const first = openStore(name);
    expect(await first.loadSettings()).toEqual({ carryForContacts: true });
    await first.saveSettings({ carryForContacts: false });
    const row = carried();
    await first.add(row, QUOTA);
    first.db.close();

    const second = openStore(name);
    expect(await second.loadSettings()).toEqual({ carryForContacts: false });
    expect((await second.listForTag(row.tag, 1_500)).map((stored) => stored.key)).toEqual([row.key]);
    await second.delete([row.key]);
    expect(await second.listForTag(row.tag, 1_500)).toEqual([]);
  });

  it('keeps carried messages out of the requeue', async () => {
    const storage = new DexieStorage(openStore().db);
    const draft = { conversation: 'mt1bob', sender: 'me', instance: 'instance-me', text: 'x', sentAt: 1 };
    const carriedMessage = await storage.queueOutgoing({ ...draft, id: 'out-message-1' });
    const linkedMessage = await storage.queueOutgoing({ ...draft, id: 'out-message-2' });

    await storage.markCarried([carriedMessage.id], 50);
    await storage.markSent([linkedMessage.id]);
    await storage.requeue([carriedMessage.id, linkedMessage.id]);

    const stored = await storage.db.messages.get(carriedMessage.id);
    expect(stored?.status).toBe('sent');
    expect(stored?.carriedAt).toBe(50);
    expect((await storage.db.messages.get(linkedMessage.id))?.status).toBe('queued');
    expect((await storage.listOutbox('mt1bob')).map((message) => message.id)).toEqual([carriedMessage.id, linkedMessage.id]);
  });

  it('adds its tables to a version 1 database', async () => {
    const name = `meshtext-carry-test-${databaseCount++}`;
    const old = openDatabase(name, 1);
    opened.push(old);
    await old.counters.put({ name: 'seq:mt1bob', value: 7 });
    old.close();

    const store = openStore(name);
    expect(store.db.verno).toBeGreaterThanOrEqual(4);
    expect(await store.db.counters.get('seq:mt1bob')).toEqual({ name: 'seq:mt1bob', value: 7 });
    expect(await store.add(carried(), QUOTA)).toBe('stored');
  });
});
