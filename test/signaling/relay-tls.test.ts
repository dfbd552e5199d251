import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { silentLogger, startRelay, type RunningRelay } from '../../signaling/server.ts';
import { createIdentity, openTestSocket, peerSocketUrl, signToken } from './relay-client.ts';

let certDir: string;
let certificate: Buffer;
let relay: RunningRelay;

/** GETs a JSON document over HTTPS, trusting only the test certificate. */
function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca: certificate }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> });
        });
      })
      .on('error', reject);
  });
}

beforeAll(async () => {
  certDir = await mkdtemp(path.join(tmpdir(), 'meshtext-relay-tls-'));
  const certPath = path.join(certDir, 'cert.pem');
  const keyPath = path.join(certDir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-subj', '/CN=localhost', '-days', '2',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout', keyPath, '-out', certPath,
    ],
    { stdio: 'ignore' },
  );
  certificate = await readFile(certPath);

  relay = await startRelay({ port: 0, host: '127.0.0.1', logger: silentLogger, tls: { cert: certificate, key: await readFile(keyPath) } });
});

afterAll(async () => {
  await relay?.close();
  await rm(certDir, { recursive: true, force: true });
});

describe('relay over TLS', () => {
  test('url uses https', () => {
    expect(relay.url).toBe(`https://127.0.0.1:${relay.port}`);
  });

  test('health answers over https', async () => {
    const { status, body } = await getJson(`${relay.url}/health`);

    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.mailboxEnvelopes).toBe(0);
  });

  test('control socket authenticates over wss', async () => {
    const alice = createIdentity();
    const { body } = await getJson(`${relay.url}/relay/challenge`);
    const control = await openTestSocket(`wss://127.0.0.1:${relay.port}/relay/control`, { ca: certificate });

    control.sendJson({ type: 'auth', address: alice.address, token: signToken(alice, body.challenge as string) });

    expect(await control.nextMessage()).toEqual({ type: 'auth-ok', address: alice.address });
    control.socket.close();
  });

  test('PeerJS registers over wss', async () => {
    const alice = createIdentity();
    const { body } = await getJson(`${relay.url}/relay/challenge`);
    const url = peerSocketUrl(relay.url, alice.address, signToken(alice, body.challenge as string));
    const peer = await openTestSocket(url, { ca: certificate });

    expect(url.startsWith('wss://')).toBe(true);
    expect((await peer.nextMessage()).type).toBe('OPEN');
    peer.socket.close();
  });

  test('untrusted certificate is refused by client', async () => {
    await expect(openTestSocket(`wss://127.0.0.1:${relay.port}/relay/control`)).rejects.toThrow(/self-signed|certificate/);
  });

  test('plain http to the TLS port fails', async () => {
    await expect(fetch(`http://127.0.0.1:${relay.port}/health`)).rejects.toThrow();
  });
});
