/**
 * Keeps dist/ current for benchmarks that load the built app from the relay. The app is rebuilt
 * with Vite when dist/index.html is missing or older than any file the build reads, so a
 * benchmark never measures yesterday's code, and an unchanged tree costs no build.
 *
 * NOTE: a rebuild replaces dist/ in place. An e2e run that serves dist/ at the same moment can
 * see missing files, so do not run both at once on one checkout.
 */

import { stat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Folder that `npm run build` writes and the relay serves. */
export const distDir = path.join(repoRoot, 'dist');

/** Inputs of the app build, relative to the repository root. */
const buildInputs = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json'];

/** Returns the latest modification time in ms of a file or of any file below a folder, or 0. */
async function latestModificationMs(target: string): Promise<number> {
  const info = await stat(target).catch(() => null);
  if (info === null) return 0;
  if (!info.isDirectory()) return info.mtimeMs;

  const names = await readdir(target, { recursive: true });
  let latestMs = info.mtimeMs;
  for (const name of names) {
    const entry = await stat(path.join(target, name)).catch(() => null);
    if (entry !== null) latestMs = Math.max(latestMs, entry.mtimeMs);
  }

  return latestMs;
}

/** Builds the app into dist/ unless dist/index.html is newer than every build input. */
export async function ensureAppBuilt(): Promise<void> {
  const builtAtMs = await latestModificationMs(path.join(distDir, 'index.html'));
  const inputTimes = await Promise.all(buildInputs.map((input) => latestModificationMs(path.join(repoRoot, input))));
  const changedAtMs = Math.max(...inputTimes);

  if (builtAtMs > changedAtMs) {
    console.log('bench: dist/ is current, not rebuilding');
    return;
  }

  const startedAt = performance.now();
  console.log(builtAtMs === 0 ? 'bench: dist/ is missing, building the app' : 'bench: sources changed since the last build, rebuilding dist/');
  await build({ root: repoRoot, logLevel: 'warn', build: { outDir: distDir, emptyOutDir: true } });
  console.log(`bench: app build took ${Math.round(performance.now() - startedAt)} ms`);
}
