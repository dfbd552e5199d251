/**
 * The user's settings as runes, kept in step with IndexedDB through a live query, so a change
 * made in one tab shows in every tab.
 */

import { liveQuery } from 'dexie';
import type { MeshtextDatabase } from '../storage/database.ts';
import type { SettingName, Settings } from '../storage/settings-store.ts';
import { DEFAULT_SETTINGS, readSettings, writeSetting } from '../storage/settings-store.ts';

export class AppSettings {
  current = $state.raw<Settings>({ ...DEFAULT_SETTINGS });
  readonly #db: MeshtextDatabase;

  constructor(db: MeshtextDatabase) {
    this.#db = db;
  }

  /** Starts following the stored settings. Call it once, after the database opened. */
  watch(): void {
    liveQuery(() => readSettings(this.#db)).subscribe({
      next: (settings) => (this.current = settings),
      error: (error: unknown) => console.error('[meshtext:settings] reading settings failed', error),
    });
  }

  /** Stores a setting; the live query then updates `current` in every tab. */
  async set(name: SettingName, value: boolean): Promise<void> {
    this.current = { ...this.current, [name]: value };
    await writeSetting(this.#db, name, value);
  }
}
