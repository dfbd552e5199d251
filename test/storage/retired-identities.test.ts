import 'fake-indexeddb/auto';
import nacl from 'tweetnacl';
import { afterEach, describe, expect, it } from 'vitest';
import { createIdentity } from '../../src/core/identity.ts';
import { openDatabase } from '../../src/storage/database.ts';
import { DexieStorage } from '../../src/storage/dexie-storage.ts';
import { decryptBackup, exportBackup, restoreBackup } from '../../src/storage/backup-export.ts';
import { deleteTestDatabases, freshDatabase, trackDatabase, uniqueDatabaseName } from './fixtures.ts';

afterEach(deleteTestDatabases);

describe('retired identities table', () => {
  it('is added by the upgrade and keeps older rows', async () => {
    const name = uniqueDatabaseName();
    const identity = createIdentity('Bob', nacl.randomBytes, 1);
    const old = openDatabase(name, 1);
    await old.identity.put({ ...identity, key: 'self' });
    old.close();

    const storage = new DexieStorage(trackDatabase(openDatabase(name)));

    expect((await storage.loadIdentity())?.address).toBe(identity.address);
    expect(await storage.listRetiredIdentities()).toEqual([]);
  });

  it('lists and deletes retired identities', async () => {
    const storage = new DexieStorage(freshDatabase());
    const previous = createIdentity('Bob', nacl.randomBytes, 1);
    const next = createIdentity('Bob', nacl.randomBytes, 2);
    await storage.saveIdentity(previous);
    await storage.rotateIdentity(next, { identity: previous, retiredAt: 2, keepUntil: 3 }, []);

    const listed = await storage.listRetiredIdentities();
    expect(listed.map((retired) => retired.identity.address)).toEqual([previous.address]);
    expect(listed[0]?.identity.signingSecretKey).toEqual(previous.signingSecretKey);

    await storage.deleteRetiredIdentity(previous.address);
    expect(await storage.listRetiredIdentities()).toEqual([]);
  });

  it('is emptied by a restore that replaces the identity', async () => {
    const passphrase = 'granite kettle harbor';
    const source = new DexieStorage(freshDatabase());
    await source.saveIdentity(createIdentity('Carol', nacl.randomBytes, 1));
    const fileText = await exportBackup(source.db, passphrase, { randomBytes: nacl.randomBytes, now: 2, scryptParams: { N: 2 ** 10, r: 8, p: 1 } });
    const target = new DexieStorage(freshDatabase());
    const previous = createIdentity('Bob', nacl.randomBytes, 1);
    await target.saveIdentity(previous);
    await target.rotateIdentity(createIdentity('Bob', nacl.randomBytes, 2), { identity: previous, retiredAt: 2, keepUntil: 3 }, []);

    await restoreBackup(target.db, await decryptBackup(target.db, fileText, passphrase), { randomBytes: nacl.randomBytes, replaceExisting: true });

    expect((await target.loadIdentity())?.displayName).toBe('Carol');
    expect(await target.listRetiredIdentities()).toEqual([]);
  });
});
