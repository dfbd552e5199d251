/**
 * Keeps the unread count in the document title and the app icon badge, and shows a system
 * notification through the service worker when a message arrives while no visible tab shows
 * that chat or the conversation list (see tab-views.ts). Only the leader tab notifies, so
 * several open tabs notify once.
 * Android Chrome throws on `new Notification()` in a page, so notifications always go through
 * `ServiceWorkerRegistration.showNotification`.
 */

import Dexie, { liveQuery } from 'dexie';
import type { ContactRecord } from '../core/storage-port.ts';
import type { MeshtextDatabase } from '../storage/database.ts';
import { t } from '../ui/i18n/index.ts';
import { createLogger } from '../app/logger.ts';
import { watchTabViews, type TabView } from './tab-views.ts';

/** Maximum length of the message preview in a notification, in characters. */
const MAX_PREVIEW_LENGTH = 160;

const log = createLogger('pwa');

export interface UnreadWatchOptions {
  db: MeshtextDatabase;
  /** True in the one tab that should notify, so that several open tabs notify once. */
  shouldNotify: () => boolean;
  /** Address or group id of the chat this tab shows, if any. */
  openChat: () => string | undefined;
}

/** Starts watching the unread counts and returns a function that stops it. */
export function watchUnread({ db, shouldNotify, openChat }: UnreadWatchOptions): () => void {
  let previousCounts: Map<string, number> | undefined;
  const tabViews = watchTabViews(
    (): TabView => ({ isVisible: document.visibilityState === 'visible', conversation: openChat() }),
  );

  const subscription = liveQuery(() => db.contacts.filter((contact) => contact.state !== 'blocked').toArray()).subscribe({
    next: (contacts) => {
      const total = contacts.reduce((sum, contact) => sum + contact.unreadCount, 0);
      showUnreadCount(total);

      if (previousCounts && shouldNotify()) {
        for (const contact of contacts) {
          if (contact.unreadCount > (previousCounts.get(contact.address) ?? 0)) void notifyUnlessOnScreen(contact);
        }
      }
      previousCounts = new Map(contacts.map((contact) => [contact.address, contact.unreadCount]));
    },
    error: (error: unknown) => log.error('unread count query failed', { error: String(error) }),
  });

  async function notifyUnlessOnScreen(contact: ContactRecord): Promise<void> {
    if (await tabViews.isConversationOnScreen(contact.address)) return;

    await notify(db, contact);
  }

  return () => {
    subscription.unsubscribe();
    tabViews.close();
  };
}

/** Writes the count into the document title and the installed app's icon badge. */
export function showUnreadCount(total: number): void {
  document.title = total > 0 ? t('title.unread', { count: total }) : t('app.name');

  if (!('setAppBadge' in navigator)) return;

  const badge = total > 0 ? navigator.setAppBadge(total) : navigator.clearAppBadge();
  badge.catch((error: unknown) => log.debug('app badge not set', { error: String(error) }));
}

async function notify(db: MeshtextDatabase, contact: ContactRecord): Promise<void> {
  const latest = await db.messages
    .where('[conversation+storedAt]')
    .between([contact.address, Dexie.minKey], [contact.address, Dexie.maxKey])
    .last();
  const text = latest?.direction === 'in' ? latest.text : '';
  const title =
    contact.state === 'request'
      ? t('notification.requestTitle', { name: contact.displayName })
      : contact.displayName;

  try {
    const registration = await navigator.serviceWorker.ready;
    await registration.showNotification(title, {
      body: text.length > MAX_PREVIEW_LENGTH ? `${text.slice(0, MAX_PREVIEW_LENGTH)}…` : text,
      // One notification per conversation: a newer message replaces the older one.
      tag: contact.address,
      icon: '/pwa-192x192.png',
      data: { conversation: contact.address },
    });
  } catch (error) {
    log.warn('notification not shown', { error: String(error) });
  }
}
