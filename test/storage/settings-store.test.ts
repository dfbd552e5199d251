import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, readSettings, writeSetting } from '../../src/storage/settings-store.ts';
import { deleteTestDatabases, freshDatabase } from './fixtures.ts';

afterEach(deleteTestDatabases);

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
