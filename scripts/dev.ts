/**
 * Development mode: the relay on port 8081 (no static files) and Vite's dev server on 5173,
 * which proxies /relay and /health to the relay.
 */

import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { startRelay } from '../signaling/server.ts';

const RELAY_PORT = 8081;

// Vite runs as a direct child, so a SIGTERM to this script stops it. Started through npx, it
// outlived that signal and kept port 5173.
const require = createRequire(import.meta.url);
const vitePackage = require('vite/package.json') as { bin: { vite: string } };
const viteBin = join(dirname(require.resolve('vite/package.json')), vitePackage.bin.vite);

const relay = await startRelay({ port: RELAY_PORT, host: '127.0.0.1' });
const vite = spawn(process.execPath, [viteBin, '--host', '127.0.0.1'], { stdio: 'inherit' });

function shutdown(): void {
  vite.kill('SIGTERM');
  void relay.close().then(() => process.exit(0));
}

process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
vite.on('exit', (code) => {
  void relay.close().then(() => process.exit(code ?? 0));
});
