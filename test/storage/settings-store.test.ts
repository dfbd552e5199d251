import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { MeshtextDatabase } from '../../src/storage/database.ts';
import { openDatabase } from '../../src/storage/database.ts';
import { DEFAULT_SETTINGS, readSettings, writeSetting } from '../../src/storage/settings-store.ts';

const opened: MeshtextDatabase[] = [];
let databaseCount = 0;

function freshDatabase(): MeshtextDatabase {
  const db = openDatabase(`meshtext-settings-test-${databaseCount++}`);
  opened.push(db);

  return db;
}

afterEach(async () => {
  for (const db of opened.splice(0)) {
    db.close();
    await db.delete();
  }
});

describe('settings store', () => {
  it('returns defaults before anything is stored', async () => {
    expect(await readSettings(freshDatabase())).toEqual(DEFAULT_SETTINGS);
  });

  it('keeps a written setting', async () => {
    const db = freshDatabase();

    await writeSetting(db, 'isTypingShared', false);

    expect(await readSettings(db)).toEqual({ ...DEFAULT_SETTINGS, isTypingShared: false });
  });

  it('ignores unknown and malformed rows', async () => {
    const db = freshDatabase();
    await db.settings.bulkPut([
      { key: 'isPresenceShown', value: 'no' },
      { key: 'somethingElse', value: false },
    ]);

    expect(await readSettings(db)).toEqual(DEFAULT_SETTINGS);
  });
});
