import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

/** Origin of the relay that `npm run dev` starts. The dev server forwards relay traffic to it. */
const DEV_RELAY_ORIGIN = 'http://127.0.0.1:8081';

const THEME_COLOR = '#0f766e';

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
        theme_color: THEME_COLOR,
        background_color: '#f4f6f8',
        display: 'standalone',
        start_url: '/',
        scope: '/',
        icons: [
          { src: 'pwa-192x192.png', sizes: '192x192', type: 'image/png' },
          { src: 'pwa-512x512.png', sizes: '512x512', type: 'image/png' },
          { src: 'maskable-512x512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
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
      },
    }),
  ],
  build: {
    target: 'es2022',
  },
  define: {
    // Test builds (MESHTEXT_TEST_HOOKS=1, set by test/e2e/run.sh) expose instrumentation in
    // main.ts; every other build compiles it away.
    __MESHTEXT_TEST_HOOKS__: JSON.stringify(process.env.MESHTEXT_TEST_HOOKS === '1'),
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/relay': { target: DEV_RELAY_ORIGIN, ws: true },
      '/health': { target: DEV_RELAY_ORIGIN },
    },
  },
});
