// Imported by the generated service worker (see importScripts in vite.config.ts). A click on a
// message notification focuses an open Meshtext window and opens the conversation there, or
// opens a new window on that conversation when none is open.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();

  const conversation = event.notification.data && event.notification.data.conversation;
  const fragment = typeof conversation === 'string' ? `#/chat/${encodeURIComponent(conversation)}` : '';

  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: false }).then((windows) => {
      const target = windows.find((client) => client.visibilityState === 'visible') || windows[0];
      if (!target) return self.clients.openWindow(`/${fragment}`);

      target.postMessage({ type: 'meshtext:open-conversation', conversation });

      return target.focus();
    }),
  );
});
