/**
 * The part of one conversation's history that the chat keeps in memory: a range of storedAt
 * values, read through a Dexie live query so that new, edited and deleted messages in it show
 * at once. It opens on the newest page and grows a page at a time as the reader scrolls; a jump
 * to a search result replaces it with the page around that message.
 */

import { liveQuery } from 'dexie';
import { findGaps } from '../../core/gaps.ts';
import type { ReceivedSeqs } from '../../core/received-seqs.ts';
import type { MessageRecord } from '../../core/storage-port.ts';
import type { MeshtextDatabase } from '../../storage/database.ts';
import type { MessageBounds } from '../data/message-pages.ts';
import { readLatestPage, readNewer, readOlder, readRange } from '../data/message-pages.ts';
import { SharedRows } from '../data/shared-rows.ts';
import { listReceived } from '../../storage/received-table.ts';

/** Messages read per page, about three screens of short messages. */
export const PAGE_SIZE = 60;

export class MessageWindow {
  messages = $state.raw<MessageRecord[]>([]);
  /** False until the first page has been read. */
  isLoaded = $state(false);
  /** True while older messages may exist before the first one held. */
  hasOlder = $state(true);
  /** Message to scroll to and highlight, set by `jumpTo`; a new object for every jump. */
  focus = $state.raw<{ id: string } | undefined>(undefined);
  error = $state.raw<unknown>(undefined);
  /** The conversation's received records (see received-seqs.ts), from which the gap markers come. */
  #received = $state.raw<ReceivedSeqs[]>([]);
  /** Number of seqs missing right before each message held, by message id (see gaps.ts). */
  readonly gaps = $derived(findGaps(this.messages, this.#received));
  /** Undefined until the first page fixes the range, and after `jumpToLatest`. */
  #bounds = $state<MessageBounds | undefined>(undefined);
  #isExtending = false;
  readonly #sharedRows = new SharedRows<MessageRecord>();
  readonly #db: MeshtextDatabase;
  readonly #conversation: string;

  /** Subscribes for the lifetime of the component that creates it, so construct it during component initialisation. */
  constructor(db: MeshtextDatabase, conversation: string) {
    this.#db = db;
    this.#conversation = conversation;

    $effect(() => {
      const bounds = this.#bounds;
      const query = async (): Promise<{ rows: MessageRecord[]; received: ReceivedSeqs[] }> => {
        const rows = bounds ? await readRange(db, conversation, bounds) : await readLatestPage(db, conversation, PAGE_SIZE);

        return { rows, received: await listReceived(db.received, conversation) };
      };

      const subscription = liveQuery(query).subscribe({
        next: ({ rows, received }) => {
          this.#received = received;
          this.#show(rows, bounds);
        },
        error: (error: unknown) => {
          this.error = error;
          console.error('[meshtext:ui] reading messages failed', error);
        },
      });

      return () => subscription.unsubscribe();
    });
  }

  /** True when the window does not reach the newest message. */
  get hasNewer(): boolean {
    return this.#bounds?.to !== undefined;
  }

  /** Adds the page before the first message held. Does nothing while another page is read. */
  async loadOlder(): Promise<void> {
    const bounds = this.#bounds;
    if (!bounds || !this.hasOlder || this.#isExtending) return;

    this.#isExtending = true;
    try {
      const older = await readOlder(this.#db, this.#conversation, bounds.from, PAGE_SIZE);
      this.hasOlder = older.length === PAGE_SIZE;
      this.#bounds = { ...bounds, from: lowerBound(older.at(-1), this.hasOlder) };
    } finally {
      this.#isExtending = false;
    }
  }

  /** Adds the page after the last message held; once that reaches the newest, the window follows new messages. */
  async loadNewer(): Promise<void> {
    const bounds = this.#bounds;
    if (bounds?.to === undefined || this.#isExtending) return;

    this.#isExtending = true;
    try {
      const newer = await readNewer(this.#db, this.#conversation, bounds.to, PAGE_SIZE);
      const isAtEnd = newer.length < PAGE_SIZE;
      this.#bounds = { ...bounds, to: isAtEnd ? undefined : newer.at(-1)?.storedAt };
    } finally {
      this.#isExtending = false;
    }
  }

  /**
   * Replaces the window with the messages around `message` and marks it for scrolling and
   * highlighting.
   */
  async jumpTo(message: Pick<MessageRecord, 'id' | 'storedAt'>): Promise<void> {
    const half = PAGE_SIZE / 2;
    const [older, newer] = await Promise.all([
      readOlder(this.#db, this.#conversation, message.storedAt, half),
      readNewer(this.#db, this.#conversation, message.storedAt, half),
    ]);

    this.hasOlder = older.length === half;
    this.focus = { id: message.id };
    this.#bounds = {
      from: lowerBound(older.at(-1) ?? message, this.hasOlder),
      to: newer.length < half ? undefined : newer.at(-1)?.storedAt,
    };
  }

  /** Goes back to the newest page, as when the conversation opens. */
  jumpToLatest(): void {
    this.focus = undefined;
    this.hasOlder = true;
    this.#bounds = undefined;
  }

  #show(rows: MessageRecord[], bounds: MessageBounds | undefined): void {
    // Unchanged rows keep their objects, so the log re-renders only the messages that changed.
    this.messages = this.#sharedRows.share(rows, (message) => message.id);
    this.isLoaded = true;
    this.error = undefined;

    // The first page fixes the lower end, so later messages add to the window instead of pushing its oldest out.
    if (!bounds) {
      this.hasOlder = rows.length === PAGE_SIZE;
      this.#bounds = { from: lowerBound(rows[0], this.hasOlder), to: undefined };
    }
  }
}

/**
 * Returns the lower end of a window whose oldest message is `oldest`. A window that reaches the
 * start of the history has no lower end, so rows that land before its first message later (a
 * linked identity's history, a restore) still show.
 */
function lowerBound(oldest: Pick<MessageRecord, 'storedAt'> | undefined, hasOlder: boolean): number {
  return hasOlder && oldest ? oldest.storedAt : Number.NEGATIVE_INFINITY;
}
