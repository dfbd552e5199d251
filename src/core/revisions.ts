/**
 * Edits and deletions for everyone. Each one travels as a chat message of its own that names
 * its target (`revises`), so it takes the same path as any message: durable outbox,
 * de-duplication on (sender, instance, seq), receipts, and the mailbox while the peer is
 * offline. Both storages call `reviseTarget` when they store such a message, in the same
 * transaction, so the rule below holds on the sending and the receiving side alike.
 */

import type { Logger } from './ports.ts';
import type { CoreStorage, MessageRecord } from './storage-port.ts';

export type RevisionAction = 'edit' | 'delete';

/** Target and action of a revision message: `edit` replaces the target's text with its own, `delete` empties it. */
export interface Revision {
  action: RevisionAction;
  /** Id of the message revised. */
  target: string;
}

/** Reason a revision changed nothing. The peer gets no reply about it. */
export type RevisionRejection = 'missing-target' | 'not-sender' | 'is-revision' | 'already-deleted' | 'outdated';

export type RevisionOutcome = { changes: Partial<MessageRecord> } | { rejected: RevisionRejection };

/**
 * Returns the changes that `revision` makes to `target`, or why it makes none. Only the
 * original sender may revise a message: the revision must come from the same address and
 * belong to the same conversation, and a link or envelope has already authenticated that
 * address. A deleted message stays deleted, and an edit older than the last one applied is
 * ignored, so revisions from two installs of one sender settle on the latest.
 */
export function reviseTarget(target: MessageRecord | undefined, revision: MessageRecord): RevisionOutcome {
  const action = revision.revises?.action;

  if (!target || action === undefined) return { rejected: 'missing-target' };
  if (target.sender !== revision.sender || target.conversation !== revision.conversation) return { rejected: 'not-sender' };
  if (target.revises !== undefined) return { rejected: 'is-revision' };
  if (target.deletedAt !== undefined) return { rejected: 'already-deleted' };

  if (action === 'delete') return { changes: { text: '', deletedAt: revision.sentAt, editedAt: undefined } };
  if ((target.editedAt ?? Number.NEGATIVE_INFINITY) >= revision.sentAt) return { rejected: 'outdated' };

  return { changes: { text: revision.text, editedAt: revision.sentAt } };
}

/** Tells whether a stored row is a revision, which the chat does not show as a message. */
export function isRevision(message: Pick<MessageRecord, 'revises'>): boolean {
  return message.revises !== undefined;
}

/**
 * Checks that the user may edit or delete `target` for everyone: it must be an own message
 * (sent from any install of this identity), not deleted, and not itself a revision.
 * @throws RangeError naming what is wrong.
 */
export function assertRevisable(target: MessageRecord | undefined, ownAddress: string): MessageRecord {
  if (!target || target.revises !== undefined) throw new RangeError('message not found');
  if (target.direction !== 'out' || target.sender !== ownAddress) throw new RangeError('only your own messages can be edited or deleted for everyone');
  if (target.deletedAt !== undefined) throw new RangeError('message is already deleted');

  return target;
}

/**
 * Logs each stored incoming revision that left its target unchanged, such as one naming a
 * message of someone else. Call it after storing, because storage applies revisions itself.
 * A failed read is logged as a warning, never thrown, since the revisions are already stored.
 */
export async function logIgnoredRevisions(storage: CoreStorage, logger: Logger, stored: readonly MessageRecord[]): Promise<void> {
  for (const revision of stored) {
    if (!revision.revises) continue;

    let target: MessageRecord | undefined;
    try {
      target = await storage.getMessage(revision.revises.target);
    } catch (error) {
      logger.warn('reading a revised message failed', { id: revision.id.slice(0, 8), error: String(error) });
      continue;
    }
    const isApplied =
      target?.sender === revision.sender &&
      (revision.revises.action === 'delete' ? target.deletedAt !== undefined : (target.editedAt ?? -Infinity) >= revision.sentAt);
    if (!isApplied) {
      logger.info('revision changed nothing', { peer: revision.sender.slice(0, 12), id: revision.id.slice(0, 8), hasTarget: target !== undefined });
    }
  }
}
