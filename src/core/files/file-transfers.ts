/**
 * Moving file bytes over ready links. The receiver pulls: it asks for a window of parts with
 * `file-want`, stores each part as it arrives, and asks for more as the window empties. After a
 * dropped link it keeps what it stored and, on the next ready link, asks from the first missing
 * part. The sender serves each request from its stored body on the link's bulk lane, so chat
 * goes first, and takes the `have` count of each request as the receiver's progress.
 *
 * Memory stays bounded on both ends: the sender reads one part at a time and waits until it went
 * to the channel; the receiver accepts only parts it asked for, at most WANT_WINDOW_PARTS ahead
 * of what it stored, and writes the parts waiting at each moment in one transaction.
 */

import { sha256 } from '@noble/hashes/sha2.js';
import { toBase64Url } from '../bytes.ts';
import type { PeerLink } from '../peer-link.ts';
import type { Logger } from '../ports.ts';
import type { ChatPayload } from '../messages.ts';
import { partSizeOf } from './file-meta.ts';
import type { FilePartPayload, FileWantPayload } from './file-payloads.ts';
import { encodeFilePart } from './file-payloads.ts';
import type { FileRecord, FileStorage } from './file-storage-port.ts';

/** Parts a receiver asks for ahead of what it stored: 1 MiB with 64 KiB parts. */
export const WANT_WINDOW_PARTS = 16;

/** Parts that must arrive before the receiver tops the window up again. */
export const WANT_REFILL_PARTS = 4;

interface Incoming {
  link: PeerLink;
  file: FileRecord;
  /** Parts stored so far. */
  partsDone: number;
  /** Index of the next part accepted from the link. */
  nextIndex: number;
  /** End of the range asked for so far, exclusive. */
  requestedTo: number;
  /** Accepted parts not yet written, in order from index `partsDone` on. */
  pending: Uint8Array[];
  /** The running write loop, or a resolved promise when none runs. */
  writes: Promise<void>;
  isWriting: boolean;
}

export interface FileTransfersOptions {
  storage: FileStorage;
  logger: Logger;
}

export class FileTransfers {
  #storage: FileStorage;
  #logger: Logger;
  #incoming = new Map<string, Incoming>();
  /** Files whose stored parts are being hashed, so a resume meanwhile does not finish them twice. */
  #finishing = new Set<string>();
  /** Requests each link serves one after another. */
  #serving = new WeakMap<PeerLink, Promise<void>>();

  constructor(options: FileTransfersOptions) {
    this.#storage = options.storage;
    this.#logger = options.logger;
  }

  /** Creates the rows of stored incoming file messages; call before acknowledging them. */
  async recordIncoming(conversation: string, chats: ChatPayload[]): Promise<void> {
    for (const chat of chats) {
      if (chat.file) await this.#storage.ensureIncomingFile(conversation, chat.id, chat.file);
    }
  }

  /** Asks a newly ready link, or one that just brought file messages, for every missing part from its peer. */
  async resume(link: PeerLink): Promise<void> {
    // Parts still being written from an earlier link count before the first missing one is read.
    const earlier = [...this.#incoming.values()].filter((incoming) => incoming.link.remoteAddress === link.remoteAddress && incoming.link !== link);
    await Promise.all(earlier.map((incoming) => incoming.writes));

    const files = await this.#storage.listReceiving(link.remoteAddress);

    for (const file of files) {
      if (this.#finishing.has(file.id)) continue;
      const current = this.#incoming.get(file.id);
      if (current && current.link === link && !link.isClosed) continue;

      const incoming: Incoming = {
        link,
        file,
        partsDone: file.partsDone,
        nextIndex: file.partsDone,
        requestedTo: file.partsDone,
        pending: [],
        writes: Promise.resolve(),
        isWriting: false,
      };
      this.#incoming.set(file.id, incoming);
      // Every part may be stored already when finishing failed before, so finish now.
      if (incoming.partsDone >= file.partCount) await this.#finish(incoming);
      else this.#askForMore(incoming);
    }
  }

  /** Handles a file payload from a ready link. */
  handle(link: PeerLink, payload: FileWantPayload | FilePartPayload): void {
    if (payload.t === 'file-want') void this.#serve(link, payload);
    else this.#acceptPart(link, payload);
  }

  async #serve(link: PeerLink, want: FileWantPayload): Promise<void> {
    try {
      await this.#serveWant(link, want);
    } catch (error) {
      this.#logger.error('serving a file request failed', { file: want.id.slice(0, 8), error: String(error) });
    }
  }

  async #serveWant(link: PeerLink, want: FileWantPayload): Promise<void> {
    const file = await this.#storage.getFile(want.id);
    const peer = link.remoteAddress.slice(0, 12);

    if (!file || file.direction !== 'out' || file.conversation !== link.remoteAddress || want.to > file.partCount) {
      this.#logger.warn('file request rejected', { peer, file: want.id.slice(0, 8) });
      return;
    }
    if (want.have > file.partsDone) await this.#storage.confirmParts(file.id, want.have);
    if (want.from === want.to) return;

    const previous = this.#serving.get(link) ?? Promise.resolve();
    const next = previous.then(() => this.#sendParts(link, file, want.from, want.to));
    this.#serving.set(link, next);
    await next;
  }

  /** Sends parts [from, to) of a file. A part that cannot be read ends this range, not the link's later ones. */
  async #sendParts(link: PeerLink, file: FileRecord, from: number, to: number): Promise<void> {
    for (let index = from; index < to && !link.isClosed; index++) {
      let bytes: Uint8Array;
      try {
        bytes = await this.#storage.readPart(file.id, index);
      } catch (error) {
        this.#logger.error('reading a file part failed', { file: file.id.slice(0, 8), index, error: String(error) });
        return;
      }
      if (!(await link.sendBulk(encodeFilePart({ t: 'file-part', id: file.id, index, bytes })))) return;
    }
  }

  #acceptPart(link: PeerLink, part: FilePartPayload): void {
    const incoming = this.#incoming.get(part.id);
    const isExpected = incoming?.link === link && part.index === incoming.nextIndex && part.index < incoming.requestedTo;

    if (!incoming || !isExpected) {
      this.#logger.warn('unexpected file part dropped', { peer: link.remoteAddress.slice(0, 12), file: part.id.slice(0, 8), index: part.index });
      return;
    }
    if (part.bytes.length !== partSizeOf(incoming.file.meta, part.index)) {
      this.#logger.warn('file part of wrong size dropped', { file: part.id.slice(0, 8), index: part.index, bytes: part.bytes.length });
      return;
    }

    incoming.nextIndex++;
    incoming.pending.push(part.bytes.slice());
    if (!incoming.isWriting) {
      incoming.isWriting = true;
      incoming.writes = this.#writePending(incoming);
    }
  }

  /**
   * Writes accepted parts until none wait. Parts that arrive during a write go together into the
   * next one, so a fast link costs fewer IndexedDB transactions than parts.
   */
  async #writePending(incoming: Incoming): Promise<void> {
    const { file } = incoming;

    try {
      while (incoming.pending.length > 0) {
        const parts = incoming.pending.splice(0);
        const firstIndex = incoming.partsDone;
        try {
          await this.#storage.storeParts(file.id, firstIndex, parts);
        } catch (error) {
          // The parts in flight are dropped too; the next ready link asks again from here.
          this.#logger.error('storing file parts failed', { file: file.id.slice(0, 8), firstIndex, error: String(error) });
          this.#incoming.delete(file.id);
          return;
        }

        incoming.partsDone = firstIndex + parts.length;
        if (incoming.partsDone === file.partCount) await this.#finish(incoming);
        else this.#askForMore(incoming);
      }
    } finally {
      incoming.isWriting = false;
    }
  }

  /** Tops the window up once WANT_REFILL_PARTS of it arrived, or fills it on a new link. */
  #askForMore(incoming: Incoming): void {
    const { file, link } = incoming;
    const isWindowLow = incoming.requestedTo - incoming.partsDone <= WANT_WINDOW_PARTS - WANT_REFILL_PARTS;
    if (!isWindowLow || incoming.requestedTo >= file.partCount) return;

    const to = Math.min(incoming.partsDone + WANT_WINDOW_PARTS, file.partCount);
    link.send({ t: 'file-want', id: file.id, have: incoming.partsDone, from: incoming.requestedTo, to });
    incoming.requestedTo = to;
  }

  /**
   * Checks the hash of a fully stored file and completes or fails it. A storage error is logged
   * and leaves the file receiving, so a later resume finishes it.
   */
  async #finish(incoming: Incoming): Promise<void> {
    const { file } = incoming;

    this.#incoming.delete(file.id);
    this.#finishing.add(file.id);
    try {
      await this.#checkAndComplete(incoming);
    } catch (error) {
      this.#logger.error('finishing a received file failed', { file: file.id.slice(0, 8), error: String(error) });
    } finally {
      this.#finishing.delete(file.id);
    }
  }

  async #checkAndComplete(incoming: Incoming): Promise<void> {
    const { file, link } = incoming;
    if ((await this.#storage.getFile(file.id))?.state !== 'receiving') return;

    const hash = sha256.create();

    for (let index = 0; index < file.partCount; index++) hash.update(await this.#storage.readPart(file.id, index));

    if (toBase64Url(hash.digest()) !== file.meta.sha256) {
      this.#logger.error('received file does not match its hash', { file: file.id.slice(0, 8) });
      await this.#storage.failIncoming(file.id);
      return;
    }

    await this.#storage.completeIncoming(file.id);
    link.send({ t: 'file-want', id: file.id, have: file.partCount, from: file.partCount, to: file.partCount });
    this.#logger.info('file received', { file: file.id.slice(0, 8), parts: file.partCount });
  }
}
