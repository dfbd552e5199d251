/**
 * Wires the installed-app services to the running app: registers the service worker, listens
 * for the install offer, and once an identity exists starts the unread count and message
 * notifications and requests persistent storage.
 */

import type { Meshtext } from '../app/meshtext.svelte.ts';
import { createLogger } from '../app/logger.ts';
import { BUILD_ID } from './build-info.ts';
import type { PwaServices } from './pwa-context.ts';
import { hadIdentity, rememberIdentity, watchDatabaseLoss } from './storage-loss.ts';
import { watchUnread } from './unread-watch.ts';
import { deleteStaleShares } from './share-inbox.ts';
import { closeNotificationsWhenSeen } from './close-seen-notifications.ts';

/** Message that public/sw-notifications.js posts to a window when a notification is clicked. */
interface OpenConversationMessage {
  type: 'meshtext:open-conversation';
  conversation: string;
}

const log = createLogger('pwa');

export function startPwa(app: Meshtext, pwa: PwaServices): void {
  log.info('starting', { build: BUILD_ID });
  pwa.install.listen();
  pwa.update.register();
  listenForNotificationClicks(app);

  watchDatabaseLoss(app.db, () => {
    log.error('database closed by the browser, its data is gone');
    pwa.storage.isDatabaseLost = true;
  });

  let hasStarted = false;
  $effect.root(() => {
    $effect(() => {
      if (app.phase === 'onboarding') pwa.storage.wasIdentityLost = hadIdentity();
      if (app.phase !== 'ready' || hasStarted) return;

      hasStarted = true;
      rememberIdentity();
      void pwa.storage.requestPersistence();
      void deleteStaleSharesLogged();
      watchUnread({
        db: app.db,
        shouldNotify: () => app.tabRole === 'leader' && pwa.notifications.isEnabled,
        openChat: () => app.openConversation ?? app.openGroup,
      });
    });

    const seenWatch = closeNotificationsWhenSeen(() => app.openConversation);
    $effect(() => {
      if (app.openConversation !== undefined) seenWatch.check();
    });
  });
}

async function deleteStaleSharesLogged(): Promise<void> {
  try {
    const count = await deleteStaleShares(Date.now());
    if (count > 0) log.info('stale shared files deleted', { count });
  } catch (error) {
    log.warn('stale shared files not deleted', { error: String(error) });
  }
}

function listenForNotificationClicks(app: Meshtext): void {
  if (!('serviceWorker' in navigator)) return;

  navigator.serviceWorker.addEventListener('message', (event: MessageEvent<OpenConversationMessage | undefined>) => {
    const message = event.data;
    if (message?.type !== 'meshtext:open-conversation' || typeof message.conversation !== 'string') return;

    void app.open(message.conversation);
  });
}
