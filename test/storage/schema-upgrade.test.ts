/**
 * Opens a database as each older schema version created it, fills it with representative rows,
 * then opens it with the current schema and checks that every row is still there. The test
 * runs over `schemaVersions`, so each new version needs an entry in `fillByVersion`.
 */

import 'fake-indexeddb/auto';
import type { IndexableType } from 'dexie';
import nacl from 'tweetnacl';
import { afterEach, describe, expect, it } from 'vitest';
import { signCard } from '../../src/core/card.ts';
import type { BundleRow, GroupMessageRow, GroupRecord, JoinRequestRow, LogRow, PairKeyRow, PendingJoinRow } from '../../src/core/groups/group-types.ts';
import { createIdentity } from '../../src/core/identity.ts';
import type { BroadcastRecipient, BroadcastRecord, ContactList, ListMember } from '../../src/core/organiser/organiser-storage.ts';
import type { ContactRecord, MessageRecord } from '../../src/core/storage-port.ts';
import type { MeshtextDatabase } from '../../src/storage/database.ts';
import { IDENTITY_KEY, openDatabase, schemaVersions } from '../../src/storage/database.ts';
import { searchKey } from '../../src/storage/search-words.ts';

/** Rows written per table, to look up again after the upgrade. */
type WrittenRows = Record<string, Record<string, unknown>[]>;

/** Writes rows that version `version` could hold, through a database opened at exactly that version. */
type Fill = (db: MeshtextDatabase) => Promise<WrittenRows>;

const identity = createIdentity('Upgrade Tester', nacl.randomBytes, 1_700_000_000_000);
const contactIdentity = createIdentity('Bob', nacl.randomBytes, 1_700_000_000_000);

const contact: ContactRecord = {
  address: contactIdentity.address,
  displayName: 'Bob',
  signingPublicKey: contactIdentity.signingPublicKey,
  boxPublicKey: contactIdentity.boxPublicKey,
  card: signCard(contactIdentity),
  state: 'contact',
  addedAt: 1,
  lastActivityAt: 3,
  unreadCount: 1,
  verifiedAt: 2,
};

const outgoing: MessageRecord = {
  id: 'upgrade-out-0001',
  conversation: contact.address,
  direction: 'out',
  sender: identity.address,
  instance: identity.instanceId,
  seq: 1,
  text: 'sent before the upgrade',
  sentAt: 2,
  storedAt: 2,
  status: 'queued',
};

const incoming: MessageRecord = {
  id: 'upgrade-in-0001',
  conversation: contact.address,
  direction: 'in',
  sender: contact.address,
  instance: contactIdentity.instanceId,
  seq: 1,
  text: 'received before the upgrade',
  sentAt: 3,
  storedAt: 3,
  status: 'received',
};

async function fillVersion1(db: MeshtextDatabase): Promise<WrittenRows> {
  const rows: WrittenRows = {
    identity: [{ ...identity, key: IDENTITY_KEY }],
    contacts: [{ ...contact }],
    messages: [{ ...outgoing }, { ...incoming }],
    outbox: [{ messageId: outgoing.id, conversation: outgoing.conversation, seq: 1, queuedAt: 2 }],
    counters: [{ name: `seq:${contact.address}`, value: 1 }],
  };
  await db.transaction('rw', db.tables, async () => {
    for (const [table, tableRows] of Object.entries(rows)) await db.table(table).bulkAdd(tableRows);
  });

  return rows;
}

async function fillVersion2(db: MeshtextDatabase): Promise<WrittenRows> {
  const rows = await fillVersion1(db);
  rows.settings = [{ key: 'readReceipts', value: false }];
  await db.settings.bulkAdd(rows.settings as { key: string; value: unknown }[]);

  return rows;
}

async function fillVersion3(db: MeshtextDatabase): Promise<WrittenRows> {
  const rows = await fillVersion2(db);
  // Blob rows (fileBodies, fileParts) are left out: fake-indexeddb does not return Blobs intact.
  rows.files = [
    {
      id: outgoing.id,
      conversation: contact.address,
      direction: 'out',
      meta: { name: 'notes.txt', type: 'text/plain', size: 4 },
      partCount: 1,
      partsDone: 0,
      state: 'sending',
    },
  ];
  await db.table('files').bulkAdd(rows.files);

  return rows;
}

async function fillVersion4(db: MeshtextDatabase): Promise<WrittenRows> {
  const rows = await fillVersion3(db);
  rows.carried = [
    {
      key: 'carried-envelope-hash-0001',
      tag: 'routing-tag-0001',
      handedBy: contact.address,
      hops: 1,
      expiresAt: 1_800_000_000_000,
      receivedAt: 1_700_000_000_000,
      envelope: new Uint8Array([1, 2, 3, 4]),
    },
  ];
  rows.carrySettings = [{ name: 'carrying', value: false }];
  await db.table('carried').bulkAdd(rows.carried);
  await db.table('carrySettings').bulkAdd(rows.carrySettings);

  return rows;
}

async function fillVersion5(db: MeshtextDatabase): Promise<WrittenRows> {
  const rows = await fillVersion4(db);
  const retired = createIdentity('Upgrade Tester', nacl.randomBytes, 1_600_000_000_000);
  rows.retiredIdentities = [{ address: retired.address, identity: retired, retiredAt: 1_700_000_000_000, keepUntil: 1_702_592_000_000 }];
  await db.table('retiredIdentities').bulkAdd(rows.retiredIdentities);

  return rows;
}

async function fillVersion8(db: MeshtextDatabase): Promise<WrittenRows> {
  const rows = await fillVersion5(db);
  const groupId = 'group-create-hash-0001';
  const card = signCard(identity);
  const group: GroupRecord = {
    id: groupId,
    name: 'Choir',
    isAnnouncement: false,
    roster: [{ address: identity.address, displayName: 'Upgrade Tester', card, isMember: true, isAdmin: true }],
    heads: [groupId],
    isMember: true,
    currentEpoch: 'bundle-0001',
    ownSeq: 1,
    createdAt: 10,
    lastActivityAt: 12,
    unreadCount: 0,
  };
  const logRow: LogRow = {
    group: groupId,
    hash: groupId,
    entry: { v: 1, group: '', parents: [], author: identity.address, at: 10, op: { k: 'create', name: 'Choir', nonce: 'nonce', announce: false, card }, sig: 'signature' },
    storedAt: 10,
  };
  const bundle: BundleRow = {
    group: groupId,
    id: 'bundle-0001',
    bundle: { v: 1, group: groupId, id: 'bundle-0001', heads: [groupId], author: identity.address, at: 11, members: [identity.address], nonce: 'nonce', boxes: 'boxes', sig: 'signature' },
    key: new Uint8Array([5, 6, 7, 8]),
    storedAt: 11,
  };
  const message: GroupMessageRow = {
    group: groupId,
    id: 'group-message-0001',
    sender: identity.address,
    seq: 1,
    epoch: 'bundle-0001',
    sentAt: 12,
    storedAt: 12,
    kind: 'text',
    text: 'posted before the upgrade',
    wire: { v: 1, group: groupId, epoch: 'bundle-0001', sender: identity.address, seq: 1, nonce: 'nonce', ct: 'ciphertext', tags: 'tags' },
  };
  const joinRequest: JoinRequestRow = { group: groupId, address: contact.address, card: contact.card, requestedAt: 13 };
  const pendingJoin: PendingJoinRow = { group: 'group-create-hash-0002', name: 'Book club', adminCard: contact.card, requestedAt: 14 };
  const pairKey: PairKeyRow = { owner: identity.address, boxKey: contact.card.boxKey, wrapKey: new Uint8Array([1, 1]), authKey: new Uint8Array([2, 2]) };

  rows.groups = [{ ...group }];
  rows.groupLog = [{ ...logRow }];
  rows.groupBundles = [{ ...bundle }];
  rows.groupMessages = [{ ...message }];
  rows.groupJoinRequests = [{ ...joinRequest }];
  rows.groupPendingJoins = [{ ...pendingJoin }];
  rows.groupPairKeys = [{ ...pairKey }];
  for (const table of ['groups', 'groupLog', 'groupBundles', 'groupMessages', 'groupJoinRequests', 'groupPendingJoins', 'groupPairKeys']) {
    await db.table(table).bulkAdd(rows[table]!);
  }

  return rows;
}

async function fillVersion9(db: MeshtextDatabase): Promise<WrittenRows> {
  const rows = await fillVersion8(db);
  const list: ContactList = { id: 'list-0001', name: 'Family', createdAt: 20, joinToken: 'join-token-0001' };
  const member: ListMember = { list: list.id, address: contact.address, addedAt: 21 };
  const broadcast: BroadcastRecord = { id: 'broadcast-0001', template: 'Hello {name}', listIds: [list.id], createdAt: 22, recipientCount: 1 };
  const recipient: BroadcastRecipient = { broadcast: broadcast.id, address: contact.address, displayName: 'Bob', outcome: 'queued', messageId: outgoing.id };

  rows.contactLists = [{ ...list }];
  rows.listMembers = [{ ...member }];
  rows.broadcasts = [{ ...broadcast }];
  rows.broadcastRecipients = [{ ...recipient }];
  rows.ownProfile = [{ key: IDENTITY_KEY, status: 'written before the upgrade', updatedAt: 23 }];
  for (const table of ['contactLists', 'listMembers', 'broadcasts', 'broadcastRecipients', 'ownProfile']) {
    await db.table(table).bulkAdd(rows[table]!);
  }

  return rows;
}

async function fillVersion10(db: MeshtextDatabase): Promise<WrittenRows> {
  const rows = await fillVersion9(db);
  // At version 10 storing a message records its seq; the version 10 upgrade does not run again.
  rows.received = [{ conversation: contact.address, sender: contact.address, instance: contactIdentity.instanceId, ranges: [[1, 1]] }];
  await db.table('received').bulkAdd(rows.received);
  // The words hook of version 10 adds `words` to the written objects; the check compares the rest.
  rows.messages = rows.messages!.map(({ words: _words, ...rest }) => rest);
  // A read receipt, which has no words to index, beside the text message of version 8.
  const groupId = 'group-create-hash-0001';
  const receipt: GroupMessageRow = {
    group: groupId,
    id: 'group-receipt-0001',
    sender: contact.address,
    seq: 1,
    epoch: 'bundle-0001',
    sentAt: 15,
    storedAt: 15,
    kind: 'read',
    readIds: ['group-message-0001'],
    wire: { v: 1, group: groupId, epoch: 'bundle-0001', sender: contact.address, seq: 1, nonce: 'nonce', ct: 'ciphertext', tags: 'tags' },
  };
  rows.groupMessages = [...rows.groupMessages!, { ...receipt }];
  await db.groupMessages.add(receipt);

  return rows;
}

async function fillVersion11(db: MeshtextDatabase): Promise<WrittenRows> {
  // Version 11 adds only indexes and the group message words, which its hook writes here.
  return fillVersion10(db);
}

/** One fill function per schema version that may be upgraded from. */
const fillByVersion: Record<number, Fill> = {
  1: fillVersion1,
  2: fillVersion2,
  3: fillVersion3,
  4: fillVersion4,
  5: fillVersion5,
  8: fillVersion8,
  9: fillVersion9,
  10: fillVersion10,
  11: fillVersion11,
};

const opened: MeshtextDatabase[] = [];
let databaseCount = 0;

afterEach(async () => {
  for (const db of opened.splice(0)) {
    db.close();
    await db.delete();
  }
});

const currentVersion = schemaVersions.at(-1)!.version;
const olderVersions = schemaVersions.slice(0, -1).map((schema) => schema.version);

describe('schema upgrades', () => {
  it('lists versions in increasing order', () => {
    const versions = schemaVersions.map((schema) => schema.version);

    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
  });

  it('has a fill function for every older version', () => {
    const missing = olderVersions.filter((version) => fillByVersion[version] === undefined);

    expect(missing, `add fill functions for schema versions ${missing.join(', ')} to fillByVersion`).toEqual([]);
  });

  it.each(olderVersions)(`keeps every row from version %i at the current version`, async (version) => {
    const fill = fillByVersion[version];
    if (!fill) throw new Error(`schema version ${version} has no fill function in fillByVersion; add one that writes representative rows`);

    const name = `meshtext-upgrade-${version}-${databaseCount++}`;
    const old = openDatabase(name, version);
    opened.push(old);
    await old.open();
    expect(old.verno).toBe(version);
    const written = await fill(old);
    old.close();

    const current = openDatabase(name);
    opened.push(current);
    await current.open();

    expect(current.verno).toBe(currentVersion);
    // Version 10 records the seqs received from each sender install, filled from the stored incoming messages.
    expect(await current.received.toArray(), `received rows after upgrading from version ${version}`).toEqual([
      { conversation: contact.address, sender: contact.address, instance: contactIdentity.instanceId, ranges: [[1, 1]] },
    ]);
    for (const [table, rows] of Object.entries(written)) {
      const keyPath = current.table(table).schema.primKey.keyPath!;
      for (const row of rows) {
        // Compound primary keys (such as groupMessages') are looked up by their array of values.
        const key = (Array.isArray(keyPath) ? keyPath.map((field) => row[field]) : row[keyPath]) as IndexableType;
        const stored = (await current.table(table).get(key)) as Record<string, unknown> | undefined;
        // Versions 10 and 11 add the search keys of each message's text; the rest of the row is unchanged.
        const { words, ...storedRest } = stored ?? {};
        // From version 10 on, the table hooks also set `words` on the objects that the fill wrote.
        const { words: _writtenWords, ...writtenRest } = row;
        if (table === 'groupMessages' && row.kind === 'read') {
          expect(words, `words of group receipt ${JSON.stringify(key)} after upgrading from version ${version}`).toEqual([]);
          expect(storedRest, `${table} row ${JSON.stringify(key)} after upgrading from version ${version}`).toEqual(writtenRest);
        } else if (table === 'messages' || table === 'groupMessages') {
          expect(words, `words of message ${String(key)} after upgrading from version ${version}`).toContain(searchKey('upgrade', row.storedAt as number));
          expect(storedRest, `${table} row ${JSON.stringify(key)} after upgrading from version ${version}`).toEqual(writtenRest);
        } else {
          expect(stored, `${table} row ${JSON.stringify(key)} after upgrading from version ${version}`).toEqual(row);
        }
      }
      expect(await current.table(table).count(), `${table} row count after upgrading from version ${version}`).toBe(rows.length);
    }
  });
});
