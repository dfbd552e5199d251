/**
 * Initial JavaScript download of the app: the scripts and module preloads that dist/index.html
 * names, each gzipped at level 9 and summed. The baseline is the same figure for a stand-in
 * app that only mounts a one-button Svelte component and keeps references to PeerJS, Dexie
 * and tweetnacl, that is, the bare dependencies without any Meshtext code.
 *
 * Both are built here with Vite into node_modules/.cache/meshtext-bench, so the figure always
 * matches the current source, and dist/ is left alone.
 *
 * NOTE: chunks that the app imports dynamically are not counted, even when it imports them
 * right at startup. They are listed in the log as "lazy" so that a reader can add them.
 */

import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { build } from 'vite';
import { round, type Benchmark } from './metric.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const cacheDir = path.join(repoRoot, 'node_modules', '.cache', 'meshtext-bench');
const initialJsGoalKb = 100;

const baselineSources: Record<string, string> = {
  'index.html': '<!doctype html><html><head><meta charset="utf-8"><title>baseline</title></head>'
    + '<body><script type="module" src="/main.js"></script></body></html>\n',
  'main.js': [
    "import { mount } from 'svelte';",
    "import { Peer } from 'peerjs';",
    "import Dexie from 'dexie';",
    "import nacl from 'tweetnacl';",
    "import App from './App.svelte';",
    '',
    'mount(App, { target: document.body, props: { dependencies: [Peer, Dexie, nacl] } });',
    '',
  ].join('\n'),
  'App.svelte': [
    '<script>',
    '  let { dependencies } = $props();',
    '  let count = $state(0);',
    '</script>',
    '',
    '<button onclick={() => count++}>{count} of {dependencies.length}</button>',
    '',
  ].join('\n'),
};

/** A file of the initial download with its sizes in bytes. */
interface InitialFile {
  path: string;
  bytes: number;
  gzipBytes: number;
}

/**
 * Lists the local scripts and module preloads of a built index.html, gzips each and returns
 * them. Paths in the HTML are resolved against `outDir`, which assumes Vite's default base '/'.
 */
export async function measureInitialJs(outDir: string): Promise<InitialFile[]> {
  const html = await readFile(path.join(outDir, 'index.html'), 'utf8');
  const urls = new Set<string>();

  for (const tag of html.match(/<(script|link)\b[^>]*>/gi) ?? []) {
    const attributes = parseAttributes(tag);
    const isScript = tag.toLowerCase().startsWith('<script');
    const url = isScript ? attributes.get('src') : attributes.get('rel') === 'modulepreload' ? attributes.get('href') : undefined;
    if (url !== undefined && !/^[a-z]+:/i.test(url)) urls.add(url);
  }

  const files: InitialFile[] = [];
  for (const url of urls) {
    const relativePath = decodeURIComponent(url.split(/[?#]/)[0] ?? '').replace(/^\.?\//, '');
    const content = await readFile(path.join(outDir, relativePath));
    files.push({ path: relativePath, bytes: content.length, gzipBytes: gzipSync(content, { level: 9 }).length });
  }

  return files;
}

function parseAttributes(tag: string): Map<string, string> {
  const attributes = new Map<string, string>();

  for (const match of tag.matchAll(/([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/g)) {
    attributes.set((match[1] ?? '').toLowerCase(), match[2] ?? match[3] ?? match[4] ?? '');
  }

  return attributes;
}

async function buildApp(): Promise<string> {
  const outDir = path.join(cacheDir, 'app');
  await build({ root: repoRoot, logLevel: 'warn', build: { outDir, emptyOutDir: true } });

  return outDir;
}

async function buildBaseline(): Promise<string> {
  const sourceDir = path.join(cacheDir, 'baseline-src');
  const outDir = path.join(cacheDir, 'baseline');
  await rm(sourceDir, { recursive: true, force: true });
  await mkdir(sourceDir, { recursive: true });
  for (const [name, content] of Object.entries(baselineSources)) await writeFile(path.join(sourceDir, name), content);

  await build({
    root: sourceDir,
    configFile: false,
    logLevel: 'warn',
    plugins: [svelte({ configFile: false })],
    build: { outDir, emptyOutDir: true },
  });

  return outDir;
}

function totalGzipKb(files: InitialFile[]): number {
  return files.reduce((sum, file) => sum + file.gzipBytes, 0) / 1000;
}

function logFiles(label: string, files: InitialFile[]): void {
  for (const file of files) {
    console.log(`bundle: ${label} ${file.path} ${file.bytes} B, ${file.gzipBytes} B gzipped`);
  }
}

/** Logs the JavaScript files of the build that the initial download leaves out. */
async function logLazyChunks(outDir: string, initialFiles: InitialFile[]): Promise<void> {
  const initialPaths = new Set(initialFiles.map((file) => file.path));
  const assetNames = await readdir(path.join(outDir, 'assets')).catch(() => [] as string[]);

  for (const name of assetNames) {
    const relativePath = `assets/${name}`;
    if (!name.endsWith('.js') || initialPaths.has(relativePath)) continue;

    const content = await readFile(path.join(outDir, relativePath));
    console.log(`bundle: app lazy ${relativePath} ${content.length} B, ${gzipSync(content, { level: 9 }).length} B gzipped`);
  }
}

export const bundleSize: Benchmark = {
  name: 'bundle size',
  run: async () => {
    const baselineFiles = await measureInitialJs(await buildBaseline());
    const appOutDir = await buildApp();
    const appFiles = await measureInitialJs(appOutDir);
    logFiles('baseline', baselineFiles);
    logFiles('app', appFiles);
    await logLazyChunks(appOutDir, appFiles);

    return [
      {
        name: 'initial JS gzip size',
        value: round(totalGzipKb(appFiles), 1),
        unit: 'kB',
        baseline: round(totalGzipKb(baselineFiles), 1),
        goal: `<= ${initialJsGoalKb}`,
      },
    ];
  },
};
