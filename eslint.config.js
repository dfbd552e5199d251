import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

// The core holds protocol, crypto and delivery logic that must run in Node tests with fakes,
// so it may not reach for the DOM, Svelte, Dexie, PeerJS or Node-only modules.
const adapterImports = [
  { group: ['svelte', 'svelte/*', '*.svelte'], message: 'src/core must not depend on Svelte.' },
  { group: ['dexie', 'dexie/*'], message: 'src/core must not depend on Dexie; use the storage port.' },
  { group: ['peerjs', 'peerjs/*'], message: 'src/core must not depend on PeerJS; use the transport port.' },
  { group: ['node:*'], message: 'src/core must run in browsers and Node alike.' },
];
const outsideCore = (depth) => ({
  group: [`${'../'.repeat(depth)}*`],
  message: 'src/core must not import adapters or UI.',
});

export default tseslint.config(
  { ignores: ['dist/', 'dev-dist/', 'node_modules/', 'test-results/', 'playwright-report/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    files: ['src/core/**/*.ts'],
    languageOptions: { globals: { ...globals['shared-node-browser'] } },
    rules: {
      'no-restricted-imports': ['error', { patterns: [...adapterImports, outsideCore(1)] }],
      'no-restricted-globals': ['error', 'window', 'document', 'indexedDB', 'navigator', 'localStorage'],
    },
  },
  {
    files: ['src/core/*/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...adapterImports, outsideCore(2)] }] },
  },
);
