import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import { MAX_PEER_MESSAGE_BYTES, startRelay, type Logger, type RunningRelay } from '../../signaling/server.ts';
import { createIdentity, createProofToken, openTestSocket, peerSocketUrl, registerPeer, waitFor } from './relay-client.ts';

const logLines: string[] = [];
const capturingLogger: Logger = {
  debug: (event, fields) => logLines.push(JSON.stringify({ level: 'debug', event, ...fields })),
  info: (event, fields) => logLines.push(JSON.stringify({ level: 'info', event, ...fields })),
  warn: (event, fields) => logLines.push(JSON.stringify({ level: 'warn', event, ...fields })),
  error: (event, fields) => logLines.push(JSON.stringify({ level: 'error', event, ...fields })),
};

let relay: RunningRelay;

beforeAll(async () => {
  relay = await startRelay({ port: 0, host: '127.0.0.1', logger: capturingLogger });
});

afterAll(async () => {
  await relay.close();
});

async function readPeerCount(): Promise<number> {
  const response = await fetch(`${relay.url}/health`);

  return ((await response.json()) as { peers: number }).peers;
}

describe('signaling between registered peers', () => {
  test('offer reaches destination with src', async () => {
    const alice = createIdentity();
    const bob = createIdentity();
    const alicePeer = await registerPeer(relay.url, alice);
    const bobPeer = await registerPeer(relay.url, bob);

    alicePeer.sendJson({ type: 'OFFER', dst: bob.address, payload: { sdp: 'offer-sdp-secret', connectionId: 'dc_1' } });
    const offer = await bobPeer.nextMessage();

    expect(offer.type).toBe('OFFER');
    expect(offer.src).toBe(alice.address);
    expect(offer.dst).toBe(bob.address);
    expect(offer.payload).toEqual({ sdp: 'offer-sdp-secret', connectionId: 'dc_1' });

    alicePeer.socket.close();
    bobPeer.socket.close();
    await waitFor(readPeerCount, (count) => count === 0);
  });

  test('oversize peer message closes only that socket', async () => {
    const alice = createIdentity();
    const bob = createIdentity();
    const alicePeer = await registerPeer(relay.url, alice);
    const bobPeer = await registerPeer(relay.url, bob);

    alicePeer.sendJson({ type: 'OFFER', dst: bob.address, payload: 'x'.repeat(MAX_PEER_MESSAGE_BYTES) });

    expect(await alicePeer.closed).toBe(1009);
    bobPeer.sendJson({ type: 'HEARTBEAT' });
    expect(bobPeer.socket.readyState).toBe(WebSocket.OPEN);
    await waitFor(readPeerCount, (count) => count === 1);

    bobPeer.socket.close();
    await waitFor(readPeerCount, (count) => count === 0);
  });

  test('logs contain no payloads or tokens', async () => {
    const alice = createIdentity();
    const token = await createProofToken(relay.url, alice);
    const alicePeer = await openTestSocket(peerSocketUrl(relay.url, alice.address, token));
    await alicePeer.nextMessage();

    alicePeer.sendJson({ type: 'OFFER', dst: createIdentity().address, payload: { sdp: 'another-sdp-secret' } });
    alicePeer.socket.send('{not json');
    alicePeer.socket.send('nope-json-secret');
    alicePeer.socket.close();
    await waitFor(readPeerCount, (count) => count === 0);

    const allLogs = logLines.join('\n');
    expect(allLogs).toContain('"event":"peer connected"');
    expect(allLogs).toContain('"event":"peer disconnected"');
    expect(allLogs).not.toContain('sdp-secret');
    expect(allLogs).not.toContain('json-secret');
    expect(allLogs).toContain('"reason":"invalid-json"');
    expect(allLogs).not.toContain(token.split('.')[1]);
    expect(allLogs).not.toContain(alice.address);
  });
});
