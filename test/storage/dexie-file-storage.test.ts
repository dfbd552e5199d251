import 'fake-indexeddb/auto';
import nacl from 'tweetnacl';
import { afterEach, describe, expect, it } from 'vitest';
import { describeFile } from '../../src/core/files/describe-file.ts';
import type { FileMeta } from '../../src/core/files/file-meta.ts';
import { FILE_PART_BYTES } from '../../src/core/files/file-meta.ts';
import { createIdentity } from '../../src/core/identity.ts';
import type { MeshtextDatabase } from '../../src/storage/database.ts';
import { openDatabase } from '../../src/storage/database.ts';
import { DexieFileStorage } from '../../src/storage/dexie-file-storage.ts';
import { DexieStorage } from '../../src/storage/dexie-storage.ts';

const opened: MeshtextDatabase[] = [];
let databaseCount = 0;

function open(name: string): { storage: DexieStorage; files: DexieFileStorage } {
  const db = openDatabase(name);
  opened.push(db);
  const storage = new DexieStorage(db);

  return { storage, files: new DexieFileStorage(storage) };
}

function bytesOf(length: number): Uint8Array<ArrayBuffer> {
  return nacl.randomBytes(length) as Uint8Array<ArrayBuffer>;
}

afterEach(async () => {
  for (const db of opened.splice(0)) db.close();
});

describe('DexieFileStorage', () => {
  it('stores an outgoing file with its message and outbox entry', async () => {
    const name = `meshtext-files-${databaseCount++}`;
    const { files } = open(name);
    const peer = createIdentity('Bob', nacl.randomBytes, 1).address;
    const bytes = bytesOf(FILE_PART_BYTES * 2 + 10);
    const blob = new Blob([bytes]);
    const meta = await describeFile({ name: 'photo.jpg', type: 'image/jpeg' }, blob);

    const message = await files.queueOutgoingFile(
      { id: 'outgoing-file-1', conversation: peer, sender: 'mt1self', instance: 'instance-1', text: meta.name, sentAt: 5, file: meta },
      blob,
    );

    // A reload opens the database anew and finds everything.
    opened.splice(0).forEach((db) => db.close());
    const reopened = open(name);
    expect(message.seq).toBe(1);
    expect((await reopened.storage.listOutbox(peer)).map((queued) => queued.file?.name)).toEqual(['photo.jpg']);
    expect(await reopened.files.getFile(message.id)).toMatchObject({ direction: 'out', state: 'sending', partCount: 3, partsDone: 0 });
    expect(await reopened.files.readPart(message.id, 2)).toEqual(bytes.slice(2 * FILE_PART_BYTES));
  });

  it('joins received parts into one blob', async () => {
    const { files, storage } = open(`meshtext-files-${databaseCount++}`);
    const bytes = bytesOf(FILE_PART_BYTES + 100);
    const meta: FileMeta = await describeFile({ name: 'notes.txt', type: 'text/plain' }, new Blob([bytes]));
    await files.ensureIncomingFile('mt1peer', 'incoming-file-1', meta);
    await files.ensureIncomingFile('mt1peer', 'incoming-file-1', meta);

    await files.storeParts('incoming-file-1', 0, [bytes.slice(0, FILE_PART_BYTES)]);
    expect((await files.listReceiving('mt1peer')).map((file) => file.partsDone)).toEqual([1]);
    await files.storeParts('incoming-file-1', 1, [bytes.slice(FILE_PART_BYTES)]);
    await files.completeIncoming('incoming-file-1');

    const body = await storage.db.fileBodies.get('incoming-file-1');
    expect(new Uint8Array(await body!.blob.arrayBuffer())).toEqual(bytes);
    expect(body!.blob.type).toBe('text/plain');
    expect(await storage.db.fileParts.count()).toBe(0);
    expect(await files.getFile('incoming-file-1')).toMatchObject({ state: 'complete', partsDone: 2 });
    expect(await files.listReceiving('mt1peer')).toEqual([]);
  });

  it('keeps a completed file on a second finish', async () => {
    const { files, storage } = open(`meshtext-files-${databaseCount++}`);
    const bytes = bytesOf(FILE_PART_BYTES + 100);
    const meta = await describeFile({ name: 'twice.txt', type: 'text/plain' }, new Blob([bytes]));
    await files.ensureIncomingFile('mt1peer', 'incoming-file-3', meta);
    await files.storeParts('incoming-file-3', 0, [bytes.slice(0, FILE_PART_BYTES), bytes.slice(FILE_PART_BYTES)]);
    await files.completeIncoming('incoming-file-3');

    await files.completeIncoming('incoming-file-3');
    await files.failIncoming('incoming-file-3');

    const body = await storage.db.fileBodies.get('incoming-file-3');
    expect(new Uint8Array(await body!.blob.arrayBuffer())).toEqual(bytes);
    expect((await files.getFile('incoming-file-3'))?.state).toBe('complete');
  });

  it('refuses to join a file with parts missing', async () => {
    const { files, storage } = open(`meshtext-files-${databaseCount++}`);
    const meta = await describeFile({ name: 'short.bin', type: '' }, new Blob([bytesOf(FILE_PART_BYTES * 2)]));
    await files.ensureIncomingFile('mt1peer', 'incoming-file-4', meta);
    await files.storeParts('incoming-file-4', 0, [bytesOf(FILE_PART_BYTES)]);

    await expect(files.completeIncoming('incoming-file-4')).rejects.toThrow('file incoming-file-4 has 1 of 2 parts stored');

    expect((await files.getFile('incoming-file-4'))?.state).toBe('receiving');
    expect(await storage.db.fileBodies.get('incoming-file-4')).toBeUndefined();
  });

  it('drops the parts of a failed file', async () => {
    const { files, storage } = open(`meshtext-files-${databaseCount++}`);
    const meta = await describeFile({ name: 'a.bin', type: '' }, new Blob([bytesOf(FILE_PART_BYTES * 2)]));
    await files.ensureIncomingFile('mt1peer', 'incoming-file-2', meta);
    await files.storeParts('incoming-file-2', 0, [bytesOf(FILE_PART_BYTES)]);

    await files.failIncoming('incoming-file-2');

    expect(await storage.db.fileParts.count()).toBe(0);
    expect((await files.getFile('incoming-file-2'))?.state).toBe('failed');
    await expect(files.readPart('incoming-file-2', 0)).rejects.toThrow('part 0 of file incoming-file-2 is not stored');
  });

  it('raises the progress of an outgoing file up to complete', async () => {
    const { files } = open(`meshtext-files-${databaseCount++}`);
    const blob = new Blob([bytesOf(FILE_PART_BYTES * 3)]);
    const meta = await describeFile({ name: 'a.bin', type: '' }, blob);
    const message = await files.queueOutgoingFile(
      { id: 'outgoing-file-2', conversation: 'mt1peer', sender: 'mt1self', instance: 'instance-1', text: 'a.bin', sentAt: 5, file: meta },
      blob,
    );

    await files.confirmParts(message.id, 2);
    await files.confirmParts(message.id, 1);
    expect(await files.getFile(message.id)).toMatchObject({ partsDone: 2, state: 'sending' });

    await files.confirmParts(message.id, 3);
    expect(await files.getFile(message.id)).toMatchObject({ partsDone: 3, state: 'complete' });
  });

  it('creates its tables on upgrade from version 1', async () => {
    const name = `meshtext-files-${databaseCount++}`;
    const old = openDatabase(name, 1);
    await old.counters.put({ name: 'seq:mt1peer', value: 7 });
    old.close();

    const { storage, files } = open(name);
    const meta = await describeFile({ name: 'a.bin', type: '' }, new Blob([bytesOf(100)]));
    await files.ensureIncomingFile('mt1peer', 'upgraded-file-1', meta);

    expect(storage.db.verno).toBeGreaterThanOrEqual(3);
    expect((await storage.db.counters.get('seq:mt1peer'))?.value).toBe(7);
    expect((await files.getFile('upgraded-file-1'))?.state).toBe('receiving');
  });
});
