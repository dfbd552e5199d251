import 'fake-indexeddb/auto';
import nacl from 'tweetnacl';
import { afterEach, describe, expect, it } from 'vitest';
import { toBase64Url, utf8 } from '../../src/core/bytes.ts';
import { signCard } from '../../src/core/card.ts';
import { BackupError, sealBackup } from '../../src/core/crypto/backup.ts';
import type { BackupErrorReason, ScryptParams } from '../../src/core/crypto/backup.ts';
import { createIdentity } from '../../src/core/identity.ts';
import type { Identity } from '../../src/core/identity.ts';
import type { ContactRecord, MessageRecord } from '../../src/core/storage-port.ts';
import type { BundleRow, GroupMessageRow } from '../../src/core/groups/group-types.ts';
import { signEntry } from '../../src/core/groups/membership-log.ts';
import { decryptBackup, exportBackup, hasIdentity, restoreBackup } from '../../src/storage/backup-export.ts';
import type { BackupPayload } from '../../src/storage/backup-export.ts';
import type { MeshtextDatabase } from '../../src/storage/database.ts';
import { DexieStorage } from '../../src/storage/dexie-storage.ts';
import { contactFor, incomingMessage, deleteTestDatabases, freshDatabase } from './fixtures.ts';

const PASSPHRASE = 'granite kettle harbour';
const scryptParams: ScryptParams = { N: 2 ** 10, r: 8, p: 1 };

/** Returns a verified contact, so a restore can be seen to keep the mark. */
function verifiedContact(name: string): ContactRecord {
  return contactFor(name, { verifiedAt: 42 });
}

function incoming(from: string, seq: number): MessageRecord {
  return incomingMessage(from, seq, { instance: 'instance-of-bob', text: `reply ${seq}` });
}

interface Filled {
  db: MeshtextDatabase;
  identity: Identity;
  bob: ContactRecord;
}

/** Creates a database with an identity, one contact, two outgoing messages (one delivered) and one reply. */
async function filledDatabase(name = 'Alice'): Promise<Filled> {
  const db = freshDatabase();
  const storage = new DexieStorage(db);
  const identity = createIdentity(name, nacl.randomBytes, 5);
  const bob = verifiedContact('Bob');

  await storage.saveIdentity(identity);
  await storage.putContact(bob);
  for (const [index, text] of ['hello Bob', 'are you there?'].entries()) {
    await storage.queueOutgoing({
      id: `out-${index}`,
      conversation: bob.address,
      sender: identity.address,
      instance: identity.instanceId,
      text,
      sentAt: 20 + index,
    });
  }
  await storage.markDelivered(bob.address, ['out-0']);
  await db.messages.add(incoming(bob.address, 1));

  return { db, identity, bob };
}

async function exportFrom(db: MeshtextDatabase, onProgress?: (fraction: number) => void): Promise<string> {
  return exportBackup(db, PASSPHRASE, { randomBytes: nacl.randomBytes, now: 1_000, scryptParams, ...(onProgress ? { onProgress } : {}) });
}

async function restoreInto(db: MeshtextDatabase, fileText: string, replaceExisting = false): Promise<void> {
  const payload = await decryptBackup(db, fileText, PASSPHRASE);

  await restoreBackup(db, payload, { randomBytes: nacl.randomBytes, replaceExisting });
}

async function caughtReason(promise: Promise<unknown>): Promise<BackupErrorReason | undefined> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(BackupError);

  return (error as BackupError).reason;
}

/** Seals a payload edited after export, as someone holding the passphrase could. */
async function resealed(db: MeshtextDatabase, fileText: string, change: (payload: BackupPayload) => void): Promise<string> {
  const payload = await decryptBackup(db, fileText, PASSPHRASE);
  change(payload);
  const json = JSON.stringify(payload, (_key, value: unknown) =>
    value instanceof Uint8Array ? { $bytes: Buffer.from(value).toString('base64url') } : value,
  );

  return sealBackup(utf8(json), PASSPHRASE, { randomBytes: nacl.randomBytes, params: scryptParams });
}

afterEach(deleteTestDatabases);

describe('backup export and restore', () => {
  it('restores every table into an empty database', async () => {
    const { db, identity, bob } = await filledDatabase();
    const fileText = await exportFrom(db);
    const target = freshDatabase();

    await restoreInto(target, fileText);
    const restored = await new DexieStorage(target).loadIdentity();

    expect(restored?.address).toBe(identity.address);
    expect(restored?.displayName).toBe('Alice');
    expect(restored?.signingSecretKey).toBeInstanceOf(Uint8Array);
    expect(restored?.signingSecretKey).toEqual(identity.signingSecretKey);
    expect(restored?.boxSecretKey).toEqual(identity.boxSecretKey);
    expect(await target.contacts.toArray()).toEqual(await db.contacts.toArray());
    expect((await target.contacts.get(bob.address))?.boxPublicKey).toBeInstanceOf(Uint8Array);
    expect(await target.messages.orderBy('id').toArray()).toEqual(await db.messages.orderBy('id').toArray());
    expect(await target.outbox.toArray()).toEqual(await db.outbox.toArray());
    expect(await target.counters.toArray()).toEqual([{ name: `seq:${bob.address}`, value: 2 }]);
  });

  it('restores contact lists, broadcasts and the own profile', async () => {
    const { db, bob } = await filledDatabase();
    await db.contactLists.add({ id: 'list-000001', name: 'Crew', createdAt: 1, joinToken: 'token-0123456789abcdef' });
    await db.listMembers.add({ list: 'list-000001', address: bob.address, addedAt: 2 });
    await db.broadcasts.add({ id: 'broadcast-1', template: 'Hi {name}', listIds: ['list-000001'], createdAt: 3, recipientCount: 1 });
    await db.broadcastRecipients.add({ broadcast: 'broadcast-1', address: bob.address, displayName: 'Bob', outcome: 'queued', messageId: 'out-1' });
    await db.ownProfile.add({ key: 'self', status: 'on stage', updatedAt: 4 });
    const target = freshDatabase();

    await restoreInto(target, await exportFrom(db));

    expect(await target.contactLists.toArray()).toEqual(await db.contactLists.toArray());
    expect(await target.listMembers.toArray()).toEqual(await db.listMembers.toArray());
    expect(await target.broadcasts.toArray()).toEqual(await db.broadcasts.toArray());
    expect(await target.broadcastRecipients.toArray()).toEqual(await db.broadcastRecipients.toArray());
    expect(await target.ownProfile.toArray()).toEqual([{ key: 'self', status: 'on stage', updatedAt: 4 }]);
  });

  it('restores groups with their log, keys, messages and join requests', async () => {
    const { db, identity, bob } = await filledDatabase();
    const created = signEntry(identity, { group: '', parents: [], at: 1, op: { k: 'create', name: 'Crew', nonce: toBase64Url(nacl.randomBytes(16)), announce: false, card: signCard(identity) } });
    const group = created.hash;
    const wire = { v: 1, group, epoch: 'epoch-id-0123456789ab', sender: bob.address, seq: 1, box: 'sealed', auth: [] } as unknown as GroupMessageRow['wire'];
    await db.groupLog.add({ group, hash: created.hash, entry: created.entry, storedAt: 2 });
    await db.groups.add({ id: group, name: 'Crew', isAnnouncement: false, roster: [], heads: [created.hash], isMember: true, ownSeq: 4, createdAt: 1, lastActivityAt: 9, unreadCount: 1 });
    await db.groupBundles.add({ group, id: 'epoch-id-0123456789ab', bundle: {} as BundleRow['bundle'], key: nacl.randomBytes(32), storedAt: 3 });
    await db.groupMessages.add({ group, id: 'message-1', sender: bob.address, seq: 1, epoch: 'epoch-id-0123456789ab', sentAt: 5, storedAt: 6, kind: 'text', text: 'hello crew', wire });
    await db.groupJoinRequests.add({ group, address: bob.address, card: bob.card, requestedAt: 7 });
    await db.groupPendingJoins.add({ group: 'other-group', name: 'Band', adminCard: bob.card, requestedAt: 8 });
    await db.groupPairKeys.add({ owner: identity.address, boxKey: 'box-key', wrapKey: nacl.randomBytes(32), authKey: nacl.randomBytes(32) });
    const target = freshDatabase();
    await target.groupPairKeys.add({ owner: 'someone-else', boxKey: 'box-key', wrapKey: nacl.randomBytes(32), authKey: nacl.randomBytes(32) });

    await restoreInto(target, await exportFrom(db));

    for (const table of ['groups', 'groupLog', 'groupBundles', 'groupMessages', 'groupJoinRequests', 'groupPendingJoins'] as const) {
      expect(await target.table(table).toArray()).toEqual(await db.table(table).toArray());
    }
    expect((await target.groupBundles.toArray())[0]?.key).toBeInstanceOf(Uint8Array);
    expect(await target.groupPairKeys.count()).toBe(0);
  });

  it('restores a backup without the organiser tables', async () => {
    const { db } = await filledDatabase();
    const fileText = await resealed(db, await exportFrom(db), (payload) => {
      const tables = payload.tables as unknown as Record<string, unknown>;
      for (const name of ['contactLists', 'listMembers', 'broadcasts', 'broadcastRecipients', 'ownProfile']) delete tables[name];
    });
    const target = freshDatabase();

    await restoreInto(target, fileText);

    expect(await target.contactLists.count()).toBe(0);
    expect(await target.contacts.count()).toBe(1);
  });

  it('keeps messages deleted for me deleted', async () => {
    const { db, bob } = await filledDatabase();
    const storage = new DexieStorage(db);
    await storage.storeIncoming([incoming(bob.address, 2), incoming(bob.address, 3)]);
    await storage.deleteMessage(incoming(bob.address, 2).id);
    const target = freshDatabase();

    await restoreInto(target, await exportFrom(db));
    const restored = new DexieStorage(target);

    expect(await restored.receivedMarks(bob.address, bob.address)).toEqual([{ instance: 'instance-of-bob', seq: 3, above: [] }]);
    expect(await restored.storeIncoming([incoming(bob.address, 2)])).toEqual(['duplicate']);
  });

  it('rebuilds received seqs for a backup without them', async () => {
    const { db, bob } = await filledDatabase();
    const fileText = await resealed(db, await exportFrom(db), (payload) => {
      delete (payload.tables as unknown as Record<string, unknown>).received;
    });
    const target = freshDatabase();

    await restoreInto(target, fileText);

    expect(await target.received.toArray()).toEqual([{ conversation: bob.address, sender: bob.address, instance: 'instance-of-bob', ranges: [[1, 1]] }]);
  });

  it('marks broadcast senders for a backup without the mark', async () => {
    const { db, bob } = await filledDatabase();
    await new DexieStorage(db).storeIncoming([{ ...incoming(bob.address, 2), isBroadcast: true }]);
    const fileText = await resealed(db, await exportFrom(db), (payload) => {
      for (const contact of payload.tables.contacts as { lastBroadcastReceivedAt?: number }[]) delete contact.lastBroadcastReceivedAt;
    });
    const target = freshDatabase();

    await restoreInto(target, fileText);

    expect((await target.contacts.get(bob.address))?.lastBroadcastReceivedAt).toBeTypeOf('number');
  });

  it('gives the restored identity a new instance id', async () => {
    const { db, identity } = await filledDatabase();
    const fileText = await exportFrom(db);
    const first = freshDatabase();
    const second = freshDatabase();

    await restoreInto(first, fileText);
    await restoreInto(second, fileText);
    const firstId = (await new DexieStorage(first).loadIdentity())?.instanceId;
    const secondId = (await new DexieStorage(second).loadIdentity())?.instanceId;

    expect(firstId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(firstId).not.toBe(identity.instanceId);
    expect(secondId).not.toBe(firstId);
  });

  it('keeps sequence numbers going after restore', async () => {
    const { db, bob } = await filledDatabase();
    const target = freshDatabase();
    await restoreInto(target, await exportFrom(db));
    const storage = new DexieStorage(target);
    const identity = await storage.loadIdentity();

    const next = await storage.queueOutgoing({
      id: 'out-after-restore',
      conversation: bob.address,
      sender: identity?.address ?? '',
      instance: identity?.instanceId ?? '',
      text: 'back again',
      sentAt: 50,
    });

    expect(next.seq).toBe(3);
  });

  it('rejects a wrong passphrase and writes nothing', async () => {
    const { db } = await filledDatabase();
    const fileText = await exportFrom(db);
    const target = freshDatabase();

    const reason = await caughtReason(decryptBackup(target, fileText, 'granite kettle harbor'));

    expect(reason).toBe('wrong-passphrase');
    expect(await hasIdentity(target)).toBe(false);
  });

  it('rejects a damaged file', async () => {
    const { db } = await filledDatabase();
    const fileText = await exportFrom(db);
    const cutOff = fileText.slice(0, fileText.length - 34) + fileText.slice(-2);

    expect(await caughtReason(decryptBackup(db, cutOff, PASSPHRASE))).toBe('wrong-passphrase');
    expect(await caughtReason(decryptBackup(db, fileText.slice(0, 100), PASSPHRASE))).toBe('not-a-backup');
  });

  it('refuses to replace an identity unless asked', async () => {
    const { db, identity } = await filledDatabase('Alice');
    const other = await filledDatabase('Carol');
    const fileText = await exportFrom(other.db);

    expect(await caughtReason(restoreInto(db, fileText))).toBe('identity-exists');
    expect((await new DexieStorage(db).loadIdentity())?.address).toBe(identity.address);
    expect(await db.contacts.get(other.bob.address)).toBeUndefined();

    await restoreInto(db, fileText, true);

    expect((await new DexieStorage(db).loadIdentity())?.address).toBe(other.identity.address);
    expect(await db.contacts.count()).toBe(1);
    expect(await db.contacts.get(other.bob.address)).toBeDefined();
    expect(await db.messages.count()).toBe(3);
  });

  it('rejects an identity whose keys do not match', async () => {
    const { db } = await filledDatabase();
    const fileText = await exportFrom(db);
    const mismatched = await resealed(db, fileText, (payload) => {
      const row = payload.tables.identity[0] as Identity;
      row.boxSecretKey = nacl.randomBytes(32);
    });
    const target = freshDatabase();

    expect(await caughtReason(restoreInto(target, mismatched))).toBe('damaged');
    expect(await hasIdentity(target)).toBe(false);
  });

  it('rolls back when a row cannot be stored', async () => {
    const { db } = await filledDatabase();
    const fileText = await exportFrom(db);
    const broken = await resealed(db, fileText, (payload) => {
      payload.tables.messages.push({ text: 'a message without an id' });
    });
    const target = freshDatabase();

    expect(await caughtReason(restoreInto(target, broken))).toBe('damaged');
    expect(await hasIdentity(target)).toBe(false);
    expect(await target.messages.count()).toBe(0);
  });

  it('rejects a backup from a newer schema', async () => {
    const { db } = await filledDatabase();
    const newer = await resealed(db, await exportFrom(db), (payload) => {
      payload.schemaVersion = db.verno + 1;
    });

    expect(await caughtReason(decryptBackup(db, newer, PASSPHRASE))).toBe('unsupported-version');
  });

  it('refuses to back up without an identity', async () => {
    expect(await caughtReason(exportFrom(freshDatabase()))).toBe('damaged');
  });

  it('reports progress up to 1 both ways', async () => {
    const { db } = await filledDatabase();
    const exportFractions: number[] = [];
    const restoreFractions: number[] = [];

    const fileText = await exportFrom(db, (fraction) => exportFractions.push(fraction));
    const target = freshDatabase();
    const payload = await decryptBackup(target, fileText, PASSPHRASE);
    await restoreBackup(target, payload, {
      randomBytes: nacl.randomBytes,
      replaceExisting: false,
      onProgress: (fraction) => restoreFractions.push(fraction),
    });

    for (const fractions of [exportFractions, restoreFractions]) {
      expect(fractions.length).toBeGreaterThan(1);
      expect(fractions.at(-1)).toBe(1);
      expect(fractions.every((fraction, i) => fraction >= 0 && fraction >= (fractions[i - 1] ?? 0))).toBe(true);
    }
  });
});
