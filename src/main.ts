import { mount } from 'svelte';
import { Meshtext } from './app/meshtext.svelte.ts';
import { InstallPrompt } from './pwa/install-prompt.svelte.ts';
import { NotificationSettings } from './pwa/notification-settings.svelte.ts';
import type { PwaServices } from './pwa/pwa-context.ts';
import { ServiceWorkerUpdate } from './pwa/service-worker-update.svelte.ts';
import { StorageStatus } from './pwa/storage-status.svelte.ts';
import { startPwa } from './pwa/start-pwa.svelte.ts';
import App from './ui/App.svelte';
import './ui/styles/global.css';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element to mount Meshtext into');

const app = new Meshtext();
// Debugging and benchmark handle for scripts on this origin, such as the devtools console or Playwright.
(globalThis as typeof globalThis & { meshtext?: Meshtext }).meshtext = app;
const pwa: PwaServices = {
  update: new ServiceWorkerUpdate(),
  install: new InstallPrompt(),
  notifications: new NotificationSettings(),
  storage: new StorageStatus(),
};

mount(App, { target, props: { app, pwa } });

startPwa(app, pwa);
app.load().catch((error: unknown) => {
  console.error('[meshtext:ui] app failed to load', error);
});
