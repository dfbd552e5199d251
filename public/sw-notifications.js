// Imported by the generated service worker (see importScripts in vite.config.ts). A click on a
// message notification focuses an open Meshtext window and opens the conversation there, or
// opens a new window on that conversation when none is open.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();

  const conversation = event.notification.data && event.notification.data.conversation;
  event.waitUntil(self.openConversationWindow(typeof conversation === 'string' ? conversation : undefined));
});

/**
 * Focuses the window the user used last and tells it to open the conversation, or opens a new
 * window at the conversation's URL. matchAll lists windows with the most recently focused first
 * (Service Workers spec, Clients.matchAll), so a visible one is preferred and then the last used.
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
