import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MessageRecord } from '../../../src/core/storage-port.ts';
import type { MeshtextDatabase } from '../../../src/storage/database.ts';
import { openDatabase } from '../../../src/storage/database.ts';
import { DEFAULT_SEARCH_LIMITS, MAX_ENTRIES_PER_PAGE, MessageQuery, SEARCH_PAGE_SIZE, searchMessages } from '../../../src/ui/data/message-search.ts';
import type { SearchHit } from '../../../src/ui/data/message-search.ts';
import type { GroupMessageRow } from '../../../src/core/groups/group-types.ts';
import { readLatestPage, readNewer, readOlder, readRange } from '../../../src/ui/data/message-pages.ts';
import { countEntries, readKeys, type WordsTable } from '../../../src/ui/data/word-postings.ts';

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

function groupMessage(index: number, text: string, group = 'group-1', sender = 'mt1member'): GroupMessageRow {
  return {
    group,
    id: `group-message-${group}-${index}`,
    sender,
    seq: index + 1,
    epoch: 'bundle-1',
    sentAt: 1000 + index,
    storedAt: 1000 + index,
    kind: 'text',
    text,
    wire: { v: 1, group, epoch: 'bundle-1', sender, seq: index + 1, nonce: 'nonce', ct: 'ciphertext', tags: 'tags' },
  };
}

const textsOf = (hits: readonly SearchHit[]): Array<string | undefined> => hits.map((hit) => hit.message.text);

/** Reads every page of a query and returns all its hits. */
async function readAllPages(db: MeshtextDatabase, query: string): Promise<{ hits: SearchHit[]; pages: number }> {
  const search = new MessageQuery(db, query);
  const hits: SearchHit[] = [];
  let pages = 0;

  for (;;) {
    const page = await search.nextPage();
    pages++;
    hits.push(...page.hits);
    if (!page.hasMore) return { hits, pages };
  }
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

    expect(textsOf(result.hits)).toEqual(['The HARBOUR café is closed for lunch', 'Lunch at the harbour']);
    expect(result.hasMore).toBe(false);
  });

  it('matches the last word as a prefix while it is typed', async () => {
    const db = freshDatabase();
    await db.messages.bulkAdd([message(0, 'inventory list'), message(1, 'invention'), message(2, 'invite')]);

    expect(textsOf((await searchMessages(db, 'invent')).hits)).toEqual(['invention', 'inventory list']);
    expect((await searchMessages(db, 'invent ')).hits).toEqual([]);
    expect(textsOf((await searchMessages(db, 'inventory list')).hits)).toEqual(['inventory list']);
    expect(textsOf((await searchMessages(db, 'list invent')).hits)).toEqual(['inventory list']);
  });

  it('counts a message once when several of its words share the prefix', async () => {
    const db = freshDatabase();
    await db.messages.add(message(0, 'cat cats catalogue'));

    const result = await searchMessages(db, 'cat');

    expect(result.hits).toHaveLength(1);
  });

  it('ignores accents and case', async () => {
    const db = freshDatabase();
    await db.messages.add(message(0, 'Crème brûlée'));

    expect((await searchMessages(db, 'CREME BRULEE')).hits).toHaveLength(1);
  });

  it('finds nothing for an empty or punctuation-only query', async () => {
    const db = freshDatabase();
    await db.messages.add(message(0, 'anything'));

    expect(await searchMessages(db, '')).toEqual({ words: [], hits: [], hasMore: false, total: 0 });
    expect((await searchMessages(db, ' ?! ')).hits).toEqual([]);
  });

  it('reads the newest page first and older pages on request', async () => {
    const db = freshDatabase();
    await db.messages.bulkAdd(Array.from({ length: SEARCH_PAGE_SIZE + 10 }, (_, index) => message(index, `common ${index}`)));
    const search = new MessageQuery(db, 'common ');

    const first = await search.nextPage();
    const second = await search.nextPage();

    expect(first.hits).toHaveLength(SEARCH_PAGE_SIZE);
    expect(first.hits[0]?.message.text).toBe(`common ${SEARCH_PAGE_SIZE + 9}`);
    expect(first.hasMore).toBe(true);
    expect(first.total).toBe(SEARCH_PAGE_SIZE + 10);
    expect(textsOf(second.hits)).toEqual(Array.from({ length: 10 }, (_, index) => `common ${9 - index}`));
    expect(second.hasMore).toBe(false);
  });

  it('orders hits by time across conversations', async () => {
    const db = freshDatabase();
    const rows = Array.from({ length: 300 }, (_, index) =>
      message(index, `common word ${index}`, index % 2 === 0 ? 'mt1even' : 'mt1odd'),
    ).map((row, index) => ({ ...row, storedAt: 10_000 + ((index * 7919) % 300) }));
    await db.messages.bulkAdd(rows);

    const { hits } = await readAllPages(db, 'common wo');
    const times = hits.map((hit) => hit.message.storedAt);

    expect(hits).toHaveLength(300);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(times[0]).toBe(10_299);
  });

  it('returns each message once across pages when many share one time', async () => {
    const db = freshDatabase();
    const rows = Array.from({ length: 2 * SEARCH_PAGE_SIZE + 7 }, (_, index) => ({ ...message(index, `batch item ${index}`), storedAt: 5000 }));
    await db.messages.bulkAdd(rows);

    const { hits, pages } = await readAllPages(db, 'batch');
    const ids = hits.map((hit) => hit.message.id);

    expect(pages).toBe(3);
    expect(new Set(ids).size).toBe(rows.length);
    expect(ids).toHaveLength(rows.length);
  });

  it('pages with key cursors where getAllRecords is missing', async () => {
    const db = freshDatabase();
    const rows = Array.from({ length: 2 * SEARCH_PAGE_SIZE + 7 }, (_, index) => ({ ...message(index, `batch${index % 3} item ${index}`), storedAt: 5000 + (index % 40) }));
    await db.messages.bulkAdd(rows);
    const index = IDBIndex.prototype as { getAllRecords?: unknown };
    const getAllRecords = index.getAllRecords;
    delete index.getAllRecords;

    try {
      const { hits, pages } = await readAllPages(db, 'batch');
      const times = hits.map((hit) => hit.message.storedAt);

      expect(pages).toBe(3);
      expect(new Set(hits.map((hit) => hit.message.id)).size).toBe(rows.length);
      expect(times).toEqual([...times].sort((a, b) => b - a));
    } finally {
      index.getAllRecords = getAllRecords;
    }
  });

  it('pages two words sharing one time', async () => {
    const db = freshDatabase();
    const rows = Array.from({ length: 2 * SEARCH_PAGE_SIZE + 3 }, (_, index) => ({ ...message(index, `north south ${index}`), storedAt: 7000 }));
    await db.messages.bulkAdd(rows);

    const { hits, pages } = await readAllPages(db, 'south north ');

    expect(pages).toBe(3);
    expect(new Set(hits.map((hit) => hit.message.id)).size).toBe(rows.length);
  });

  it('sorts the matches of several words in memory', async () => {
    const db = freshDatabase();
    const rows = Array.from({ length: 3 * SEARCH_PAGE_SIZE }, (_, index) => message(index, index % 2 === 0 ? `alpha beta ${index}` : `alpha ${index}`));
    await db.messages.bulkAdd(rows);
    await db.groupMessages.add({ ...groupMessage(0, 'beta alpha in the group'), storedAt: 1001 + 3 * SEARCH_PAGE_SIZE });
    const search = new MessageQuery(db, 'alpha beta');

    const first = await search.nextPage();
    const second = await search.nextPage();

    expect(first.total).toBe(1.5 * SEARCH_PAGE_SIZE + 1);
    expect(first.hits[0]?.message.text).toBe('beta alpha in the group');
    expect(first.hits[1]?.message.text).toBe(`alpha beta ${3 * SEARCH_PAGE_SIZE - 2}`);
    expect(first.hits).toHaveLength(SEARCH_PAGE_SIZE);
    expect(first.hasMore).toBe(true);
    expect(second.hits).toHaveLength(0.5 * SEARCH_PAGE_SIZE + 1);
    expect(second.hasMore).toBe(false);
  });

  it('checks rows for a word too common for a key set', async () => {
    const db = freshDatabase();
    await db.messages.bulkAdd([message(0, 'alpha beta'), message(1, 'beta gamma'), message(2, 'alpha gamma beta')]);
    const search = new MessageQuery(db, 'gamma beta ', { sortedDriverEntries: 10, keySetEntries: 0 });

    const page = await search.nextPage();

    expect(textsOf(page.hits)).toEqual(['alpha gamma beta', 'beta gamma']);
    expect(page.total).toBeUndefined();
  });

  it('counts no entries for one prefix', async () => {
    const db = freshDatabase();
    await db.messages.bulkAdd([message(0, 'carpet'), message(1, 'cargo')]);
    const count = vi.spyOn(db.Collection.prototype, 'count');

    const page = await searchMessages(db, 'car');

    expect(textsOf(page.hits)).toEqual(['cargo', 'carpet']);
    expect(count).not.toHaveBeenCalled();
  });

  it('caps the counts that choose the plan', async () => {
    const db = freshDatabase();
    const rows = Array.from({ length: 12 }, (_, index) => message(index, index % 4 === 0 ? `alpha beta ${index}` : `alpha ${index}`));
    await db.messages.bulkAdd(rows);
    // alpha counts as 4 of its 12 entries: too many for a key set, so rows are checked for it.
    const search = new MessageQuery(db, 'alpha beta ', { sortedDriverEntries: 3, keySetEntries: 2 });

    const page = await search.nextPage();

    expect(textsOf(page.hits)).toEqual(['alpha beta 8', 'alpha beta 4', 'alpha beta 0']);
    expect(page.total).toBeUndefined();
  });

  it('merges the words of a prefix by time', async () => {
    const db = freshDatabase();
    await db.messages.bulkAdd([message(0, 'carpet'), message(1, 'car'), message(2, 'cargo'), message(3, 'carpet again'), message(4, 'bus')]);

    expect(textsOf((await searchMessages(db, 'car')).hits)).toEqual(['carpet again', 'cargo', 'car', 'carpet']);
  });

  it('stops a page after a bounded number of entries', async () => {
    const db = freshDatabase();
    // Each word is in half the messages, and both only in the oldest one.
    const textOf = (index: number): string => {
      if (index === 0) return 'alpha beta';

      return index % 2 === 0 ? `alpha ${index}` : `beta ${index}`;
    };
    const rows = Array.from({ length: 2 * MAX_ENTRIES_PER_PAGE + 500 }, (_, index) => message(index, textOf(index)));
    await db.messages.bulkAdd(rows);
    // The streaming path, which these counts would otherwise not take.
    const search = new MessageQuery(db, 'alpha beta ', { ...DEFAULT_SEARCH_LIMITS, sortedDriverEntries: 0 });

    const first = await search.nextPage();
    const second = await search.nextPage();

    expect(first.hits).toEqual([]);
    expect(first.hasMore).toBe(true);
    expect(textsOf(second.hits)).toEqual(['alpha beta']);
    expect(second.hasMore).toBe(false);
  });

  it('finds group messages beside one-to-one messages', async () => {
    const db = freshDatabase();
    await db.messages.bulkAdd([message(0, 'rehearsal moved'), message(2, 'no match here')]);
    await db.groupMessages.bulkAdd([
      groupMessage(1, 'Rehearsal at eight'),
      groupMessage(3, 'rehearsal cancelled', 'group-2', 'mt1other'),
      { ...groupMessage(4, ''), kind: 'read', text: undefined, readIds: ['group-message-group-1-1'] },
    ]);

    const result = await searchMessages(db, 'rehearsal');

    expect(result.hits.map((hit) => [hit.kind, hit.message.text])).toEqual([
      ['group', 'rehearsal cancelled'],
      ['group', 'Rehearsal at eight'],
      ['direct', 'rehearsal moved'],
    ]);
    expect(result.hits.map((hit) => hit.key)).toEqual(['g:m:mt1other:4', 'g:m:mt1member:2', 'm:message-mt1peer-0']);
  });

  it('follows edits and deletions', async () => {
    const db = freshDatabase();
    await db.messages.add(message(0, 'old wording'));

    await db.messages.update('message-mt1peer-0', { text: 'new wording' });

    expect((await searchMessages(db, 'old ')).hits).toEqual([]);
    expect((await searchMessages(db, 'new ')).hits).toHaveLength(1);

    await db.messages.delete('message-mt1peer-0');

    expect((await searchMessages(db, 'wording')).hits).toEqual([]);
  });

  it('finds messages after status writes', async () => {
    const db = freshDatabase();
    await db.messages.bulkAdd([message(0, 'lantern in the hall'), message(1, 'spare lantern')]);
    await db.groupMessages.add(groupMessage(0, 'lantern for the team'));

    await db.messages.bulkPut([{ ...message(0, 'lantern in the hall'), status: 'read' }]);
    await db.messages.where('id').equals('message-mt1peer-1').modify({ readAt: 5 });
    await db.groupMessages.put({ ...groupMessage(0, 'lantern for the crew') });

    expect(textsOf((await searchMessages(db, 'lantern')).hits).sort()).toEqual(['lantern for the crew', 'lantern in the hall', 'spare lantern']);
    expect((await searchMessages(db, 'team')).hits).toEqual([]);
  });

  it('indexes messages stored before the search index existed', async () => {
    const name = `meshtext-search-upgrade-${databaseCount++}`;
    const before = freshDatabase(1, name);
    await before.messages.bulkAdd([message(0, 'stored long ago'), message(1, 'also old')]);
    before.close();

    const after = freshDatabase(Infinity, name);
    await after.open();

    expect(textsOf((await searchMessages(after, 'ago')).hits)).toEqual(['stored long ago']);
    expect(textsOf((await searchMessages(after, 'old')).hits)).toEqual(['also old']);
  });

  it('indexes group messages stored before version 11', async () => {
    const name = `meshtext-search-group-upgrade-${databaseCount++}`;
    const before = freshDatabase(10, name);
    await before.groupMessages.bulkAdd([groupMessage(0, 'posted before the group index'), { ...groupMessage(1, ''), kind: 'read', text: undefined, readIds: [] }]);
    before.close();

    const after = freshDatabase(Infinity, name);
    await after.open();

    expect(textsOf((await searchMessages(after, 'posted')).hits)).toEqual(['posted before the group index']);
    expect((await after.groupMessages.toArray()).map((row) => row.words?.length)).toEqual([5, 0]);
  });
});

describe('word keys', () => {
  it('counts a word in every table', async () => {
    const db = freshDatabase();
    await db.messages.bulkAdd([message(0, 'alpha'), message(1, 'alpha beta')]);
    await db.groupMessages.add(groupMessage(0, 'alpha'));
    const tables = [db.messages, db.groupMessages] as unknown as WordsTable[];

    expect(await countEntries(tables, { word: 'alpha', isPrefix: false })).toBe(3);
    expect(await countEntries(tables, { word: 'be', isPrefix: true })).toBe(1);
  });

  it('reads keys oldest first up to the limit', async () => {
    const db = freshDatabase();
    await db.messages.bulkAdd(Array.from({ length: 5 }, (_, index) => message(index, 'alpha')));
    await db.groupMessages.add(groupMessage(0, 'alpha'));
    const tables = [db.messages, db.groupMessages] as unknown as WordsTable[];
    const alpha = { word: 'alpha', isPrefix: false };

    expect(await readKeys(tables, alpha, 3)).toEqual([['message-mt1peer-0', 'message-mt1peer-1', 'message-mt1peer-2'], [['group-1', 'mt1member', 1]]]);
    expect((await readKeys(tables, alpha)).map((keys) => keys.length)).toEqual([5, 1]);
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
