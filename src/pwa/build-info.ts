/** Facts about the running build, set by vite.config.ts at build time. */

declare const __MESHTEXT_BUILD_ID__: string;

/** Build identifier: the build time, or MESHTEXT_BUILD_ID when the build set one. */
export const BUILD_ID: string = typeof __MESHTEXT_BUILD_ID__ === 'string' ? __MESHTEXT_BUILD_ID__ : 'development';
