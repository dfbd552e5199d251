import { mount } from 'svelte';
import { Meshtext } from './app/meshtext.svelte.ts';
import { ServiceWorkerUpdate } from './pwa/service-worker-update.svelte.ts';
import App from './ui/App.svelte';
import './ui/styles/global.css';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element to mount Meshtext into');

const app = new Meshtext();
// Debugging and benchmark handle for scripts on this origin, such as the devtools console or Playwright.
(globalThis as typeof globalThis & { meshtext?: Meshtext }).meshtext = app;
const serviceWorkerUpdate = new ServiceWorkerUpdate();

mount(App, { target, props: { app, serviceWorkerUpdate } });

serviceWorkerUpdate.register();
app.load().catch((error: unknown) => {
  console.error('[meshtext:ui] app failed to load', error);
});
