/** Actions offered in the menu of one message. */

import type { MessageRecord } from '../../core/storage-port.ts';

export type MessageAction = 'edit' | 'delete-for-me' | 'delete-for-everyone';

/**
 * Lists the actions a message offers: only own, undeleted messages can be edited or deleted for
 * everyone, and a file message cannot be edited, since its text is the file name.
 */
export function actionsFor(message: Pick<MessageRecord, 'direction' | 'deletedAt' | 'file'>): MessageAction[] {
  const isOwnAndShown = message.direction === 'out' && message.deletedAt === undefined;
  if (!isOwnAndShown) return ['delete-for-me'];

  return message.file ? ['delete-for-me', 'delete-for-everyone'] : ['edit', 'delete-for-me', 'delete-for-everyone'];
}
