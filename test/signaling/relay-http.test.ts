import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { silentLogger, startRelay, type RunningRelay } from '../../signaling/server.ts';

const INDEX_HTML = '<!doctype html><title>Meshtext test build</title>';

let appDir: string;
let relay: RunningRelay;

beforeAll(async () => {
  appDir = await mkdtemp(path.join(tmpdir(), 'meshtext-relay-static-'));
  await mkdir(path.join(appDir, 'assets'));
  await writeFile(path.join(appDir, 'index.html'), INDEX_HTML);
  await writeFile(path.join(appDir, 'assets', 'index-B4x9kQ2a.js'), 'console.log("app");');
  await writeFile(path.join(appDir, 'sw.js'), 'self.addEventListener("fetch", () => {});');
  await writeFile(path.join(appDir, 'workbox-5f2a9c1d.js'), '// workbox');
  await writeFile(path.join(appDir, 'manifest.webmanifest'), '{"name":"Meshtext"}');
  await writeFile(path.join(appDir, 'icon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');

  relay = await startRelay({
    port: 0,
    host: '127.0.0.1',
    staticDir: appDir,
    iceServers: [{ urls: 'turn:turn.example.test:3478', username: 'user', credential: 'pass' }],
    logger: silentLogger,
  });
});

afterAll(async () => {
  await relay.close();
  await rm(appDir, { recursive: true, force: true });
});

function get(pathname: string, accept = '*/*'): Promise<Response> {
  return fetch(`${relay.url}${pathname}`, { headers: { accept } });
}

describe('relay JSON endpoints', () => {
  test('health returns status and counts', async () => {
    const response = await get('/health');
    const body = (await response.json()) as Record<string, unknown>;

    expect(response.status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.peers).toBe(0);
    expect(typeof body.uptimeSeconds).toBe('number');
  });

  test('challenge is fresh on every request', async () => {
    const first = (await (await get('/relay/challenge')).json()) as { challenge: string; expiresInMs: number };
    const second = (await (await get('/relay/challenge')).json()) as { challenge: string };

    expect(first.challenge).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(first.expiresInMs).toBe(60_000);
    expect(second.challenge).not.toBe(first.challenge);
  });

  test('challenge is never cached', async () => {
    const response = await get('/relay/challenge');

    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  test('config returns configured ICE servers', async () => {
    const body = (await (await get('/relay/config')).json()) as { iceServers: unknown[] };

    expect(body.iceServers).toEqual([{ urls: 'turn:turn.example.test:3478', username: 'user', credential: 'pass' }]);
  });

  test('config defaults to no ICE servers', async () => {
    const bare = await startRelay({ port: 0, host: '127.0.0.1', logger: silentLogger });

    try {
      const body = (await (await fetch(`${bare.url}/relay/config`)).json()) as { iceServers: unknown[] };
      expect(body.iceServers).toEqual([]);
    } finally {
      await bare.close();
    }
  });
});

describe('static app', () => {
  test('root serves index.html uncached', async () => {
    const response = await get('/', 'text/html');

    expect(await response.text()).toBe(INDEX_HTML);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('cache-control')).toBe('no-cache');
  });

  test('app route falls back to index.html', async () => {
    const response = await get('/chat/mt1abc', 'text/html,application/xhtml+xml');

    expect(response.status).toBe(200);
    expect(await response.text()).toBe(INDEX_HTML);
    expect(response.headers.get('cache-control')).toBe('no-cache');
  });

  test('hashed asset is cached long', async () => {
    const response = await get('/assets/index-B4x9kQ2a.js');

    expect(response.headers.get('content-type')).toMatch(/^application\/javascript/);
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  test('service worker files are revalidated', async () => {
    for (const pathname of ['/sw.js', '/workbox-5f2a9c1d.js', '/manifest.webmanifest']) {
      const response = await get(pathname);

      expect(response.status, pathname).toBe(200);
      expect(response.headers.get('cache-control'), pathname).toBe('no-cache');
    }
  });

  test('manifest has its media type', async () => {
    const response = await get('/manifest.webmanifest');

    expect(response.headers.get('content-type')).toMatch(/^application\/manifest\+json/);
  });

  test('missing asset is 404 not index', async () => {
    const response = await get('/assets/missing.js');

    expect(response.status).toBe(404);
  });

  test('relay paths never fall back to index', async () => {
    const relayResponse = await get('/relay/nothing-here/at-all', 'text/html');
    const healthResponse = await get('/health/extra', 'text/html');

    expect(relayResponse.status).toBe(404);
    expect(healthResponse.status).toBe(404);
  });

  test('missing build gets a note to build', async () => {
    const emptyDir = await mkdtemp(path.join(tmpdir(), 'meshtext-relay-empty-'));
    const unbuilt = await startRelay({ port: 0, host: '127.0.0.1', staticDir: emptyDir, logger: silentLogger });

    try {
      const response = await fetch(`${unbuilt.url}/`);

      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await response.text()).toMatch(/npm run build/);
    } finally {
      await unbuilt.close();
      await rm(emptyDir, { recursive: true, force: true });
    }
  });
});

describe('relay lifecycle', () => {
  test('close is idempotent', async () => {
    const extra = await startRelay({ port: 0, host: '127.0.0.1', logger: silentLogger });

    await Promise.all([extra.close(), extra.close()]);
    await expect(fetch(`${extra.url}/health`)).rejects.toThrow();
  });

  test('invalid port is rejected', async () => {
    await expect(startRelay({ port: 70_000, host: '127.0.0.1', logger: silentLogger })).rejects.toThrow(RangeError);
  });

  test('busy port rejects start', async () => {
    await expect(startRelay({ port: relay.port, host: '127.0.0.1', logger: silentLogger })).rejects.toThrow(/EADDRINUSE/);
  });
});
