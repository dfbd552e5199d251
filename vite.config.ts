import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

/** Origin of the relay that `npm run dev` starts. The dev server forwards relay traffic to it. */
const DEV_RELAY_ORIGIN = 'http://127.0.0.1:8081';

const THEME_COLOR = '#0f766e';

/**
 * Build identifier shown in the profile. MESHTEXT_BUILD_ID sets it, for example to tell two
 * builds apart in the update test. Otherwise it is the build time, so each build differs.
 */
const BUILD_ID = process.env.MESHTEXT_BUILD_ID ?? new Date().toISOString().slice(0, 16).replace('T', ' ');

export default defineConfig({
  plugins: [
    svelte(),
    VitePWA({
      // A waiting version is applied only when the user presses "Reload" in the update toast,
      // because an automatic reload could throw away a message that is being typed.
      registerType: 'prompt',
      strategies: 'generateSW',
      // src/pwa/service-worker-update.svelte.ts registers the worker itself.
      injectRegister: false,
      // globPatterns below already precaches every icon, so the plugin must not list them again.
      includeManifestIcons: false,
      manifest: {
        id: '/',
        name: 'Meshtext',
        short_name: 'Meshtext',
        description: 'End-to-end encrypted messenger that sends messages directly between devices and works offline.',
        lang: 'en',
        dir: 'ltr',
        categories: ['social', 'communication'],
        theme_color: THEME_COLOR,
        background_color: '#f4f6f8',
        display: 'standalone',
        start_url: '/',
        scope: '/',
        icons: [
          { src: 'pwa-192x192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: 'pwa-512x512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: 'maskable-512x512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
        // public/sw-share-target.js receives the POST, stores the files and redirects to
        // GET /share, where src/ui/state/shared-content.ts reads the text and links.
        share_target: {
          action: '/share',
          method: 'POST',
          enctype: 'multipart/form-data',
          params: { title: 'title', text: 'text', url: 'url', files: [{ name: 'files', accept: ['*/*'] }] },
        },
        // src/ui/state/shortcut-fragment.ts opens the matching dialog for these fragments.
        shortcuts: [
          {
            name: 'Share my invite',
            short_name: 'Share invite',
            url: '/#/share-invite',
            icons: [{ src: 'pwa-192x192.png', sizes: '192x192', type: 'image/png' }],
          },
          {
            name: 'Add contact',
            short_name: 'Add contact',
            url: '/#/add-contact',
            icons: [{ src: 'pwa-192x192.png', sizes: '192x192', type: 'image/png' }],
          },
        ],
      },
      workbox: {
        // The plugin adds manifest.webmanifest to the precache list by itself.
        globPatterns: ['**/*.{js,css,html,svg,png}'],
        navigateFallback: 'index.html',
        navigateFallbackDenylist: [/^\/relay/, /^\/health/],
        // The first install controls the page that registered it, so the app works offline
        // from the first visit. Updates still wait for the user, because skipWaiting stays off.
        clientsClaim: true,
        cleanupOutdatedCaches: true,
        // Adds the notificationclick and share target handlers, which the generated worker lacks.
        importScripts: ['sw-notifications.js', 'sw-share-target.js'],
      },
    }),
  ],
  define: {
    __MESHTEXT_BUILD_ID__: JSON.stringify(BUILD_ID),
    // Test builds (MESHTEXT_TEST_HOOKS=1, set by test/e2e/run.sh) expose instrumentation in
    // main.ts; every other build compiles it away.
    __MESHTEXT_TEST_HOOKS__: JSON.stringify(process.env.MESHTEXT_TEST_HOOKS === '1'),
  },
  build: {
    target: 'es2022',
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/relay': { target: DEV_RELAY_ORIGIN, ws: true },
      '/health': { target: DEV_RELAY_ORIGIN },
    },
  },
});
