/** The one-line preview of a one-to-one chat in the conversation list. */

import type { MessageRecord } from '../../core/storage-port.ts';
import { t } from '../i18n/index.ts';

/**
 * Returns the preview of `message`, the last chat message of a conversation: its current text
 * with an edit mark, the deletion notice the chat shows in its place, or a hint that the
 * chat has no messages yet.
 */
export function previewDirectMessage(message: MessageRecord | undefined): string {
  if (!message) return t('conversations.noMessages');

  const isOwn = message.direction === 'out';
  if (message.deletedAt !== undefined) return isOwn ? t('chat.deletedOwn') : t('chat.deleted');

  const text = message.editedAt === undefined ? message.text : t('conversations.editedPreview', { text: message.text });

  return isOwn ? t('conversations.youPrefix', { text }) : text;
}
