/**
 * CarryStore on IndexedDB through Dexie: envelopes carried for other peers survive a reload or
 * a crash of the carrier until they are handed on or expire.
 */

import Dexie from 'dexie';
import type { CarriedEnvelope, CarryQuota, CarrySettings, CarryStore } from '../core/carry-store-port.ts';
import { CarrierQuotaError, DEFAULT_CARRY_SETTINGS } from '../core/carry-store-port.ts';
import type { MeshtextDatabase } from './database.ts';
import { toStorageError } from './storage-errors.ts';

const CARRY_FOR_CONTACTS = 'carryForContacts';

export class DexieCarryStore implements CarryStore {
  readonly db: MeshtextDatabase;

  constructor(db: MeshtextDatabase) {
    this.db = db;
  }

  async add(envelope: CarriedEnvelope, quota: CarryQuota): Promise<'stored' | 'duplicate'> {
    const { db } = this;

    return guard(() =>
      db.transaction('rw', db.carried, async () => {
        if (await db.carried.get(envelope.key)) return 'duplicate';

        // Counting inside the write transaction keeps concurrent offers within the quota.
        const fromPeer = await db.carried.where('handedBy').equals(envelope.handedBy).toArray();
        const bytes = fromPeer.reduce((sum, row) => sum + row.envelope.length, envelope.envelope.length);
        if (fromPeer.length + 1 > quota.maxEnvelopes || bytes > quota.maxBytes) {
          throw new CarrierQuotaError(`peer would hold ${fromPeer.length + 1} envelopes of ${bytes} bytes`);
        }

        await db.carried.add(envelope);
        return 'stored';
      }),
    );
  }

  async listForTag(tag: string, now: number): Promise<CarriedEnvelope[]> {
    const rows = await this.db.carried
      .where('[tag+expiresAt]')
      .between([tag, now], [tag, Dexie.maxKey], false, true)
      .toArray();

    return rows.sort((a, b) => a.receivedAt - b.receivedAt);
  }

  async delete(keys: string[]): Promise<void> {
    await guard(() => this.db.carried.bulkDelete(keys));
  }

  async deleteExpired(now: number): Promise<number> {
    return guard(() => this.db.carried.where('expiresAt').belowOrEqual(now).delete());
  }

  async loadSettings(): Promise<CarrySettings> {
    const row = await this.db.carrySettings.get(CARRY_FOR_CONTACTS);

    return { carryForContacts: row?.value ?? DEFAULT_CARRY_SETTINGS.carryForContacts };
  }

  async saveSettings(settings: CarrySettings): Promise<void> {
    await guard(() => this.db.carrySettings.put({ name: CARRY_FOR_CONTACTS, value: settings.carryForContacts }));
  }
}

async function guard<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof CarrierQuotaError) throw error;
    throw toStorageError(error);
  }
}
