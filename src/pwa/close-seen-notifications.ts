/**
 * Closes the system notifications of a chat once a visible tab shows that chat, so that a
 * notification does not linger for messages the user has seen. Notifications carry their
 * conversation's address as their tag (see unread-watch.ts).
 */

import { createLogger } from '../app/logger.ts';

const log = createLogger('pwa');

/** Closes every notification of `conversation` that this origin's service worker shows. */
export async function closeNotificationsOf(conversation: string): Promise<void> {
  if (!('serviceWorker' in navigator)) return;

  try {
    const registration = await navigator.serviceWorker.ready;
    const notifications = await registration.getNotifications({ tag: conversation });
    for (const notification of notifications) notification.close();
  } catch (error) {
    log.debug('notifications not closed', { error: String(error) });
  }
}

/**
 * Closes the open chat's notifications when the tab becomes visible with a chat open. The
 * caller also calls `check` when the tab opens a chat, and `stop` to stop watching.
 */
export function closeNotificationsWhenSeen(openConversation: () => string | undefined): { check(): void; stop(): void } {
  const check = (): void => {
    const conversation = openConversation();
    if (conversation !== undefined && document.visibilityState === 'visible') void closeNotificationsOf(conversation);
  };
  document.addEventListener('visibilitychange', check);

  return { check, stop: () => document.removeEventListener('visibilitychange', check) };
}
