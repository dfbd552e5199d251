/**
 * FileStorage on Dexie. File bytes are stored as blobs. An outgoing file is the user's Blob. An
 * incoming one is one blob per 64 KiB part until the last part arrives, then one blob built from
 * the parts, which the browser can do without reading them into memory.
 */

import type { FileMeta } from '../core/files/file-meta.ts';
import { partCountOf } from '../core/files/file-meta.ts';
import type { FileBody, FileRecord, FileStorage } from '../core/files/file-storage-port.ts';
import type { MessageRecord, OutgoingDraft } from '../core/storage-port.ts';
import type { MeshtextDatabase } from './database.ts';
import type { DexieStorage } from './dexie-storage.ts';
import { toStorageError } from './storage-errors.ts';

export class DexieFileStorage implements FileStorage {
  readonly #db: MeshtextDatabase;
  readonly #messages: DexieStorage;
  /**
   * The whole body last read from, so serving a file's parts one after another costs one blob
   * slice each instead of two IndexedDB reads. A stored body never changes, so it stays valid.
   */
  #lastBody: { id: string; partBytes: number; blob: Blob } | undefined;

  constructor(messages: DexieStorage) {
    this.#db = messages.db;
    this.#messages = messages;
  }

  async queueOutgoingFile(draft: OutgoingDraft & { file: FileMeta }, body: FileBody): Promise<MessageRecord> {
    const db = this.#db;
    const blob = body instanceof Blob ? body : new Blob([await body.slice(0, body.size).arrayBuffer()]);

    return guard(() =>
      db.transaction('rw', [db.messages, db.outbox, db.counters, db.contacts, db.files, db.fileBodies], async () => {
        const message = await this.#messages.queueOutgoing(draft);
        await db.files.add({
          id: message.id,
          conversation: draft.conversation,
          direction: 'out',
          meta: draft.file,
          partCount: partCountOf(draft.file),
          partsDone: 0,
          state: 'sending',
        });
        await db.fileBodies.add({ id: message.id, blob });

        return message;
      }),
    );
  }

  async ensureIncomingFile(conversation: string, id: string, meta: FileMeta): Promise<void> {
    const db = this.#db;

    await guard(() =>
      db.transaction('rw', db.files, async () => {
        if (await db.files.get(id)) return;
        await db.files.add({ id, conversation, direction: 'in', meta, partCount: partCountOf(meta), partsDone: 0, state: 'receiving' });
      }),
    );
  }

  async getFile(id: string): Promise<FileRecord | undefined> {
    return this.#db.files.get(id);
  }

  async listReceiving(conversation: string): Promise<FileRecord[]> {
    return this.#db.files.where('[conversation+state]').equals([conversation, 'receiving']).toArray();
  }

  async readPart(id: string, index: number): Promise<Uint8Array> {
    const cached = this.#lastBody;
    if (cached?.id === id) {
      const start = index * cached.partBytes;
      return new Uint8Array(await cached.blob.slice(start, start + cached.partBytes).arrayBuffer());
    }

    const file = await this.#db.files.get(id);
    if (!file) throw new RangeError(`file ${id} is not stored`);

    const body = await this.#db.fileBodies.get(id);
    if (body) {
      this.#lastBody = { id, partBytes: file.meta.partBytes, blob: body.blob };
      const start = index * file.meta.partBytes;
      return new Uint8Array(await body.blob.slice(start, start + file.meta.partBytes).arrayBuffer());
    }

    const part = await this.#db.fileParts.get([id, index]);
    if (!part) throw new RangeError(`part ${index} of file ${id} is not stored`);

    return new Uint8Array(await part.blob.arrayBuffer());
  }

  async storeParts(id: string, firstIndex: number, parts: Uint8Array[]): Promise<void> {
    const db = this.#db;
    const rows = parts.map((bytes, offset) => ({ fileId: id, index: firstIndex + offset, blob: new Blob([bytes as Uint8Array<ArrayBuffer>]) }));

    await guard(() =>
      db.transaction('rw', [db.files, db.fileParts], async () => {
        await db.fileParts.bulkPut(rows);
        await db.files.update(id, { partsDone: firstIndex + parts.length });
      }),
    );
  }

  async confirmParts(id: string, partsDone: number): Promise<void> {
    const db = this.#db;

    await guard(() =>
      db.files
        .where('id')
        .equals(id)
        .modify((file) => {
          if (file.direction !== 'out') return;
          file.partsDone = Math.max(file.partsDone, Math.min(partsDone, file.partCount));
          if (file.partsDone === file.partCount) file.state = 'complete';
        }),
    );
  }

  async completeIncoming(id: string): Promise<void> {
    const db = this.#db;

    await guard(() =>
      db.transaction('rw', [db.files, db.fileParts, db.fileBodies], async () => {
        const file = await db.files.get(id);
        // A second finish of the same file must not join the parts again, because they may be gone.
        if (file?.state !== 'receiving') return;

        const parts = await db.fileParts.where('fileId').equals(id).sortBy('index');
        if (parts.length !== file.partCount) throw new RangeError(`file ${id} has ${parts.length} of ${file.partCount} parts stored`);
        await db.fileBodies.put({ id, blob: new Blob(parts.map((part) => part.blob), { type: file.meta.type }) });
        await db.files.update(id, { state: 'complete', partsDone: file.partCount });
      }),
    );
    // NOTE: the parts are deleted only after the body is committed. Deleting them in the same
    // transaction once gave a body that read as empty in Chromium, apparently because the
    // stored blob still referred to the deleted part blobs. Parts left by a crash in between
    // take space but no row refers to them.
    await guard(() => db.fileParts.where('fileId').equals(id).delete());
  }

  async failIncoming(id: string): Promise<void> {
    const db = this.#db;

    await guard(() =>
      db.transaction('rw', [db.files, db.fileParts], async () => {
        const file = await db.files.get(id);
        if (file?.state !== 'receiving') return;

        await db.fileParts.where('fileId').equals(id).delete();
        await db.files.update(id, { state: 'failed' });
      }),
    );
  }
}

async function guard<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    throw toStorageError(error);
  }
}
