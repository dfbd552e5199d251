import type { CarriedEnvelope, CarryQuota, CarrySettings, CarryStore } from '../../src/core/carry-store-port.ts';
import { CarrierQuotaError, DEFAULT_CARRY_SETTINGS } from '../../src/core/carry-store-port.ts';

/**
 * In-memory CarryStore for unit tests of the core. Reusing one instance across messenger
 * restarts stands for durable storage. `failWrites` simulates a full disk.
 */
export class MemoryCarryStore implements CarryStore {
  rows = new Map<string, CarriedEnvelope>();
  settings: CarrySettings = { ...DEFAULT_CARRY_SETTINGS };
  failWrites = false;

  async add(envelope: CarriedEnvelope, quota: CarryQuota): Promise<'stored' | 'duplicate'> {
    if (this.failWrites) throw new DOMException('quota exceeded', 'QuotaExceededError');
    if (this.rows.has(envelope.key)) return 'duplicate';

    const fromPeer = [...this.rows.values()].filter((row) => row.handedBy === envelope.handedBy);
    const bytes = fromPeer.reduce((sum, row) => sum + row.envelope.length, envelope.envelope.length);
    if (fromPeer.length + 1 > quota.maxEnvelopes || bytes > quota.maxBytes) {
      throw new CarrierQuotaError(`peer would hold ${fromPeer.length + 1} envelopes of ${bytes} bytes`);
    }

    this.rows.set(envelope.key, { ...envelope, envelope: envelope.envelope.slice() });
    return 'stored';
  }

  async listForTag(tag: string, now: number): Promise<CarriedEnvelope[]> {
    return [...this.rows.values()].filter((row) => row.tag === tag && row.expiresAt > now).sort((a, b) => a.receivedAt - b.receivedAt);
  }

  async delete(keys: string[]): Promise<void> {
    for (const key of keys) this.rows.delete(key);
  }

  async deleteExpired(now: number): Promise<number> {
    const expired = [...this.rows.values()].filter((row) => row.expiresAt <= now);
    for (const row of expired) this.rows.delete(row.key);

    return expired.length;
  }

  async loadSettings(): Promise<CarrySettings> {
    return { ...this.settings };
  }

  async saveSettings(settings: CarrySettings): Promise<void> {
    this.settings = { ...settings };
  }
}
