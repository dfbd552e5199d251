/**
 * The part of one conversation's history that the chat keeps in memory (see
 * history-window.svelte.ts), with the received records from which its gap markers come.
 */

import { findGaps } from '../../core/gaps.ts';
import type { ReceivedSeqs } from '../../core/received-seqs.ts';
import type { MessageRecord } from '../../core/storage-port.ts';
import type { MeshtextDatabase } from '../../storage/database.ts';
import { listReceived } from '../../storage/received-table.ts';
import { messagePages } from '../data/message-pages.ts';
import { HistoryWindow } from './history-window.svelte.ts';

export class MessageWindow extends HistoryWindow<MessageRecord, ReceivedSeqs[]> {
  /** Number of seqs missing right before each message held, by message id (see gaps.ts). */
  readonly gaps = $derived(findGaps(this.rows, this.details));

  /** Subscribes for the lifetime of the component that creates it, so construct it during component initialisation. */
  constructor(db: MeshtextDatabase, conversation: string) {
    super(
      {
        ...messagePages(db, conversation),
        keyOf: (message) => message.id,
        // The gap markers need every received record of the conversation, whatever the bounds.
        readDetails: () => listReceived(db.received, conversation),
      },
      [],
    );
  }

  get messages(): MessageRecord[] {
    return this.rows;
  }
}
