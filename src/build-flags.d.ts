/** True only in builds made for the end-to-end tests; see vite.config.ts. */
declare const __MESHTEXT_TEST_HOOKS__: boolean;
