import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import type { MessageRecord } from '../../../src/core/storage-port.ts';
import type { MeshtextDatabase } from '../../../src/storage/database.ts';
import { openDatabase } from '../../../src/storage/database.ts';
import { MAX_SEARCH_RESULTS, searchMessages } from '../../../src/ui/data/message-search.ts';
import { readLatestPage, readNewer, readOlder, readRange } from '../../../src/ui/data/message-pages.ts';

const opened: Dexie[] = [];
let databaseCount = 0;

function freshDatabase(upToVersion = Infinity, name = `meshtext-search-test-${databaseCount++}`): MeshtextDatabase {
  const db = openDatabase(name, upToVersion);
  opened.push(db);

  return db;
}

function message(index: number, text: string, conversation = 'mt1peer'): MessageRecord {
  return {
    id: `message-${conversation}-${index}`,
    conversation,
    direction: 'in',
    sender: conversation,
    instance: 'instance-aaaa',
    seq: index + 1,
    text,
    sentAt: 1000 + index,
    storedAt: 1000 + index,
    status: 'received',
  };
}

afterEach(async () => {
  for (const db of opened.splice(0)) {
    db.close();
    await db.delete();
  }
});

describe('searchMessages', () => {
  it('finds messages containing every word, newest first', async () => {
    const db = freshDatabase();
    await db.messages.bulkAdd([
      message(0, 'Lunch at the harbour'),
      message(1, 'harbour lights tonight'),
      message(2, 'Lunch tomorrow?'),
      message(3, 'The HARBOUR café is closed for lunch'),
    ]);

    const result = await searchMessages(db, 'harbour lunch ');

    expect(result.hits.map((hit) => hit.text)).toEqual(['The HARBOUR café is closed for lunch', 'Lunch at the harbour']);
    expect(result.matchCount).toBe(2);
  });

  it('matches the last word as a prefix while it is typed', async () => {
    const db = freshDatabase();
    await db.messages.bulkAdd([message(0, 'inventory list'), message(1, 'invention'), message(2, 'invite')]);

    expect((await searchMessages(db, 'invent')).matchCount).toBe(2);
    expect((await searchMessages(db, 'invent ')).matchCount).toBe(0);
    expect((await searchMessages(db, 'inventory list')).matchCount).toBe(1);
  });

  it('counts a message once when several of its words share the prefix', async () => {
    const db = freshDatabase();
    await db.messages.add(message(0, 'cat cats catalogue'));

    const result = await searchMessages(db, 'cat');

    expect(result.matchCount).toBe(1);
    expect(result.hits).toHaveLength(1);
  });

  it('ignores accents and case', async () => {
    const db = freshDatabase();
    await db.messages.add(message(0, 'Crème brûlée'));

    expect((await searchMessages(db, 'CREME BRULEE')).matchCount).toBe(1);
  });

  it('finds nothing for an empty or punctuation-only query', async () => {
    const db = freshDatabase();
    await db.messages.add(message(0, 'anything'));

    expect(await searchMessages(db, '')).toEqual({ words: [], hits: [], matchCount: 0 });
    expect((await searchMessages(db, ' ?! ')).matchCount).toBe(0);
  });

  it('shows at most the newest page of hits', async () => {
    const db = freshDatabase();
    await db.messages.bulkAdd(Array.from({ length: MAX_SEARCH_RESULTS + 10 }, (_, index) => message(index, `common ${index}`)));

    const result = await searchMessages(db, 'common ');

    expect(result.matchCount).toBe(MAX_SEARCH_RESULTS + 10);
    expect(result.hits).toHaveLength(MAX_SEARCH_RESULTS);
    expect(result.hits[0]?.text).toBe(`common ${MAX_SEARCH_RESULTS + 9}`);
  });

  it('orders hits by time across conversations', async () => {
    const db = freshDatabase();
    const rows = Array.from({ length: 300 }, (_, index) =>
      message(index, `common word ${index}`, index % 2 === 0 ? 'mt1even' : 'mt1odd'),
    ).map((row, index) => ({ ...row, storedAt: 10_000 + ((index * 7919) % 300) }));
    await db.messages.bulkAdd(rows);

    const result = await searchMessages(db, 'common wo');
    const times = result.hits.map((hit) => hit.storedAt);

    expect(result.matchCount).toBe(300);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(times[0]).toBe(10_299);
  });

  it('follows edits and deletions', async () => {
    const db = freshDatabase();
    await db.messages.add(message(0, 'old wording'));

    await db.messages.update('message-mt1peer-0', { text: 'new wording' });

    expect((await searchMessages(db, 'old ')).matchCount).toBe(0);
    expect((await searchMessages(db, 'new ')).matchCount).toBe(1);

    await db.messages.delete('message-mt1peer-0');

    expect((await searchMessages(db, 'wording')).matchCount).toBe(0);
  });

  it('indexes messages stored before the search index existed', async () => {
    const name = `meshtext-search-upgrade-${databaseCount++}`;
    const before = freshDatabase(1, name);
    await before.messages.bulkAdd([message(0, 'stored long ago'), message(1, 'also old')]);
    before.close();

    const after = freshDatabase(Infinity, name);
    await after.open();

    expect((await searchMessages(after, 'ago')).hits.map((hit) => hit.text)).toEqual(['stored long ago']);
    expect((await searchMessages(after, 'old')).hits.map((hit) => hit.text)).toEqual(['also old']);
  });
});

describe('message pages', () => {
  it('reads the newest page and the pages around a message', async () => {
    const db = freshDatabase();
    await db.messages.bulkAdd(Array.from({ length: 100 }, (_, index) => message(index, `text ${index}`)));
    await db.messages.add(message(0, 'other conversation', 'mt1other'));

    const latest = await readLatestPage(db, 'mt1peer', 10);
    const older = await readOlder(db, 'mt1peer', 1050, 5);
    const newer = await readNewer(db, 'mt1peer', 1050, 5);
    const range = await readRange(db, 'mt1peer', { from: 1095, to: undefined });

    expect(latest.map((row) => row.seq)).toEqual([91, 92, 93, 94, 95, 96, 97, 98, 99, 100]);
    expect(older.map((row) => row.storedAt)).toEqual([1049, 1048, 1047, 1046, 1045]);
    expect(newer.map((row) => row.storedAt)).toEqual([1051, 1052, 1053, 1054, 1055]);
    expect(range).toHaveLength(5);
    expect(await readLatestPage(db, 'mt1nobody', 10)).toEqual([]);
  });
});
