import type { FileMeta } from '../../src/core/files/file-meta.ts';
import { partCountOf } from '../../src/core/files/file-meta.ts';
import type { FileBody, FileRecord, FileStorage } from '../../src/core/files/file-storage-port.ts';
import type { MessageRecord, OutgoingDraft } from '../../src/core/storage-port.ts';
import type { MemoryStorage } from './memory-storage.ts';

/**
 * In-memory FileStorage beside a MemoryStorage. `failPartWrites` makes storing parts fail. Storing
 * a part waits for a timer turn, as an IndexedDB write does, so timers and other tasks run
 * during a transfer as they would in a browser.
 */
export class MemoryFileStorage implements FileStorage {
  files = new Map<string, FileRecord>();
  bodies = new Map<string, Uint8Array>();
  parts = new Map<string, Uint8Array[]>();
  failPartWrites = false;
  /** Makes joining the parts of a finished file fail. */
  failCompletes = false;
  /** Parts stored, counting repeats. */
  partWrites = 0;
  /** Calls of completeIncoming, counting repeats. */
  completeCalls = 0;
  /** When set, completeIncoming waits for it, as a slow write of the joined file does. */
  completeGate: Promise<void> | undefined;
  readonly #messages: MemoryStorage;

  constructor(messages: MemoryStorage) {
    this.#messages = messages;
  }

  async queueOutgoingFile(draft: OutgoingDraft & { file: FileMeta }, body: FileBody): Promise<MessageRecord> {
    const bytes = new Uint8Array(await body.slice(0, body.size).arrayBuffer());
    const message = await this.#messages.queueOutgoing(draft);

    this.files.set(message.id, {
      id: message.id,
      conversation: draft.conversation,
      direction: 'out',
      meta: draft.file,
      partCount: partCountOf(draft.file),
      partsDone: 0,
      state: 'sending',
    });
    this.bodies.set(message.id, bytes);

    return message;
  }

  async ensureIncomingFile(conversation: string, id: string, meta: FileMeta): Promise<void> {
    if (this.files.has(id)) return;

    this.files.set(id, { id, conversation, direction: 'in', meta, partCount: partCountOf(meta), partsDone: 0, state: 'receiving' });
    this.parts.set(id, []);
  }

  async getFile(id: string): Promise<FileRecord | undefined> {
    const file = this.files.get(id);

    return file && { ...file };
  }

  async listReceiving(conversation: string): Promise<FileRecord[]> {
    return [...this.files.values()].filter((file) => file.conversation === conversation && file.state === 'receiving').map((file) => ({ ...file }));
  }

  async readPart(id: string, index: number): Promise<Uint8Array> {
    const file = this.files.get(id);
    const body = this.bodies.get(id);
    if (file && body) return body.slice(index * file.meta.partBytes, (index + 1) * file.meta.partBytes);

    const part = this.parts.get(id)?.[index];
    if (!part) throw new RangeError(`part ${index} of file ${id} is not stored`);

    return part.slice();
  }

  async storeParts(id: string, firstIndex: number, newParts: Uint8Array[]): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (this.failPartWrites) throw new DOMException('quota exceeded', 'QuotaExceededError');
    const file = this.files.get(id);
    const parts = this.parts.get(id);
    if (!file || !parts) throw new RangeError(`file ${id} is not stored`);

    newParts.forEach((bytes, offset) => (parts[firstIndex + offset] = bytes.slice()));
    this.partWrites += newParts.length;
    file.partsDone = firstIndex + newParts.length;
  }

  async confirmParts(id: string, partsDone: number): Promise<void> {
    const file = this.files.get(id);
    if (!file || file.direction !== 'out') return;

    file.partsDone = Math.max(file.partsDone, partsDone);
    if (file.partsDone >= file.partCount) file.state = 'complete';
  }

  async completeIncoming(id: string): Promise<void> {
    this.completeCalls++;
    await this.completeGate;
    if (this.failCompletes) throw new DOMException('quota exceeded', 'QuotaExceededError');
    const file = this.files.get(id);
    const parts = this.parts.get(id);
    if (!file || !parts || file.state !== 'receiving') return;

    const body = new Uint8Array(file.meta.sizeBytes);
    parts.forEach((part, index) => body.set(part, index * file.meta.partBytes));
    this.bodies.set(id, body);
    this.parts.delete(id);
    file.state = 'complete';
  }

  async failIncoming(id: string): Promise<void> {
    const file = this.files.get(id);
    if (file?.state !== 'receiving') return;

    file.state = 'failed';
    this.parts.delete(id);
  }
}
