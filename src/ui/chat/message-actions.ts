/** Actions offered in the menu of one message. */

import type { MessageRecord } from '../../core/storage-port.ts';

export type MessageAction = 'edit' | 'delete-for-me' | 'delete-for-everyone';

/** Lists the actions a message offers: only own, undeleted messages can be edited or deleted for everyone. */
export function actionsFor(message: Pick<MessageRecord, 'direction' | 'deletedAt'>): MessageAction[] {
  const isOwnAndShown = message.direction === 'out' && message.deletedAt === undefined;

  return isOwnAndShown ? ['edit', 'delete-for-me', 'delete-for-everyone'] : ['delete-for-me'];
}
