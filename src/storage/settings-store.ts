/**
 * The presence and typing switches in the `settings` table (schema version 2), one row per
 * setting beside the read receipt switch. A missing row means the default, so a new setting
 * needs no upgrade step.
 */

import type { MeshtextDatabase } from './database.ts';

/** Every setting with its default. */
export const DEFAULT_SETTINGS = {
  /** Show contacts' online state and last seen time in the chat header. */
  isPresenceShown: true,
  /** Send typing indicators and show the ones contacts send. */
  isTypingShared: true,
} as const;

export type SettingName = keyof typeof DEFAULT_SETTINGS;
export type Settings = Record<SettingName, boolean>;

/** Reads every setting, with the default for each one never stored. */
export async function readSettings(db: MeshtextDatabase): Promise<Settings> {
  const rows = await db.settings.toArray();
  const settings: Settings = { ...DEFAULT_SETTINGS };

  for (const row of rows) {
    if (row.key in DEFAULT_SETTINGS && typeof row.value === 'boolean') settings[row.key as SettingName] = row.value;
  }

  return settings;
}

export async function writeSetting(db: MeshtextDatabase, name: SettingName, value: boolean): Promise<void> {
  await db.settings.put({ key: name, value });
}
