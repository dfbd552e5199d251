import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { silentLogger, startRelay, type RunningRelay } from '../../signaling/server.ts';
import { controlSocketUrl, createIdentity, createProofToken, openTestSocket, peerSocketUrl } from './relay-client.ts';

const ALLOWED_ORIGIN = 'https://app.example.test';
const FOREIGN_ORIGIN = 'https://elsewhere.example.test';

let relay: RunningRelay;

beforeAll(async () => {
  relay = await startRelay({ port: 0, host: '127.0.0.1', logger: silentLogger, allowedOrigins: [`${ALLOWED_ORIGIN}/`] });
});

afterAll(async () => {
  await relay.close();
});

function getHealth(origin?: string): Promise<Response> {
  return fetch(`${relay.url}/health`, { headers: origin === undefined ? {} : { origin } });
}

describe('allowed origins for sockets', () => {
  test('foreign origin gets 403 on upgrade', async () => {
    await expect(openTestSocket(controlSocketUrl(relay.url), { origin: FOREIGN_ORIGIN })).rejects.toThrow(/403/);
  });

  test('foreign origin cannot register a peer', async () => {
    const alice = createIdentity();
    const url = peerSocketUrl(relay.url, alice.address, await createProofToken(relay.url, alice));

    await expect(openTestSocket(url, { origin: FOREIGN_ORIGIN })).rejects.toThrow(/403/);
  });

  test('allowed, same and missing origins connect', async () => {
    for (const origin of [ALLOWED_ORIGIN, relay.url, undefined]) {
      const control = await openTestSocket(controlSocketUrl(relay.url), origin === undefined ? {} : { origin });

      control.sendJson({ type: 'ping' });
      expect((await control.nextMessage()).type, String(origin)).toBe('pong');
      control.socket.close();
    }
  });
});

describe('allowed origins for JSON endpoints', () => {
  test('foreign origin gets 403', async () => {
    const response = await getHealth(FOREIGN_ORIGIN);

    expect(response.status).toBe(403);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('allowed origin is echoed', async () => {
    const response = await getHealth(ALLOWED_ORIGIN);

    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(response.headers.get('vary')).toMatch(/Origin/);
  });

  test('request without origin is served', async () => {
    const response = await getHealth();

    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('challenge and metrics follow the same rule', async () => {
    for (const pathname of ['/relay/challenge', '/relay/config', '/metrics']) {
      const foreign = await fetch(`${relay.url}${pathname}`, { headers: { origin: FOREIGN_ORIGIN } });
      const allowed = await fetch(`${relay.url}${pathname}`, { headers: { origin: ALLOWED_ORIGIN } });

      expect(foreign.status, pathname).toBe(403);
      expect(allowed.status, pathname).toBe(200);
    }
  });

  test('unrestricted relay allows any origin', async () => {
    const open = await startRelay({ port: 0, host: '127.0.0.1', logger: silentLogger });

    try {
      const response = await fetch(`${open.url}/health`, { headers: { origin: FOREIGN_ORIGIN } });

      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
    } finally {
      await open.close();
    }
  });

  test('malformed origin option is rejected', async () => {
    await expect(startRelay({ port: 0, host: '127.0.0.1', logger: silentLogger, allowedOrigins: ['ftp://x.test'] })).rejects.toThrow(TypeError);
  });
});
