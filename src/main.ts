import { mount } from 'svelte';
import { Meshtext, type TestHooks } from './app/meshtext.svelte.ts';
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

/** (send key id, nonce) of every data frame this page sealed, as `<key id>:<nonce>`; test builds only. */
const sealedNonces: string[] = [];
const testHooks: TestHooks = __MESHTEXT_TEST_HOOKS__
  ? { onSeal: (keyId, nonce) => sealedNonces.push(`${keyId}:${nonce}`) }
  : {};
const app = new Meshtext(location.origin, testHooks);
// Debugging and benchmark handle for scripts on this origin, such as the devtools console or Playwright.
(globalThis as typeof globalThis & { meshtext?: Meshtext }).meshtext = app;
if (__MESHTEXT_TEST_HOOKS__) {
  (globalThis as typeof globalThis & { meshtextTest?: unknown }).meshtextTest = {
    /** Returns the nonces sealed since the last call and forgets them. */
    takeSealedNonces: (): string[] => sealedNonces.splice(0),
  };
}
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
