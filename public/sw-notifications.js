// Imported by the generated service worker (see importScripts in vite.config.ts). A click on a
// message notification focuses an open Meshtext window and opens the conversation there, or
// opens a new window on that conversation when none is open.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();

  const conversation = event.notification.data && event.notification.data.conversation;
  event.waitUntil(self.openConversationWindow(typeof conversation === 'string' ? conversation : undefined));
});

/**
 * Posts a Meshtext window a message to open the conversation and focuses it, preferring the
 * focused window, then a visible one, then the first listed. Opens a new window at the
 * conversation's URL when none is open.
 * Exposed on self so that test/e2e/pwa-notifications.spec.ts can run it without a system click.
 */
self.openConversationWindow = async (conversation) => {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const target = windows.find((client) => client.focused) || windows.find((client) => client.visibilityState === 'visible') || windows[0];
  if (!target) {
    const fragment = conversation === undefined ? '' : `#/chat/${encodeURIComponent(conversation)}`;
    return self.clients.openWindow(`/${fragment}`);
  }

  if (conversation !== undefined) target.postMessage({ type: 'meshtext:open-conversation', conversation });

  try {
    return await target.focus();
  } catch (error) {
    // Browsers allow focus() only while handling a notification click.
    console.warn('[meshtext:notifications] window not focused', String(error));
    return target;
  }
};
