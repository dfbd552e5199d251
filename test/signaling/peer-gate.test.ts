import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IClient } from 'peer';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { WebSocket } from 'ws';
import { createChallengeStore, type ChallengeStore } from '../../signaling/challenge-store.ts';
import { silentLogger } from '../../signaling/logger.ts';
import { createRelayMetrics } from '../../signaling/metrics.ts';
import { createPeerGate, type PeerGate } from '../../signaling/peer-gate.ts';
import { createPresenceRegistry, type PresenceRegistry } from '../../signaling/presence-registry.ts';
import { createIdentity, openTestSocket, peerSocketUrl, signToken, type TestIdentity } from './relay-client.ts';

// These tests stand in for the peer server: they mark a registered client by hand and decide
// when it leaves, so the time a replacement waits can be made long enough to observe.

let challenges: ChallengeStore;
let registry: PresenceRegistry;
let gate: PeerGate;
let httpServer: http.Server;
let baseUrl: string;
let received: string[];

function fakeClient(address: string): IClient {
  const socket = { terminate: () => {} } as unknown as WebSocket;

  return { getId: () => address, getSocket: () => socket } as unknown as IClient;
}

function openOwnerSocket(identity: TestIdentity) {
  return openTestSocket(peerSocketUrl(baseUrl, identity.address, signToken(identity, challenges.issue())));
}

beforeEach(async () => {
  challenges = createChallengeStore();
  registry = createPresenceRegistry();
  gate = createPeerGate({
    peerKey: 'meshtext',
    challenges,
    registry,
    maxPayloadBytes: 64 * 1024,
    concurrentLimit: 100,
    messageRate: { ratePerSecond: 100, burst: 500 },
    logger: silentLogger,
    metrics: createRelayMetrics(),
    skipOwnershipCheck: false,
    replacedSocketTimeoutMs: 300,
  });
  received = [];
  gate.socketServer.on('connection', (socket: WebSocket) => {
    socket.on('message', (data) => received.push(String(data)));
    socket.send(JSON.stringify({ type: 'OPEN' }));
  });

  httpServer = http.createServer();
  httpServer.on('upgrade', (request, socket, head) => gate.handleUpgrade(request, socket, head));
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
});

afterEach(async () => {
  gate.terminate();
  await new Promise((resolve) => httpServer.close(resolve));
});

describe('peer gate replacement', () => {
  test('new socket waits until old client leaves', async () => {
    const alice = createIdentity();
    const oldClient = fakeClient(alice.address);
    registry.markOnline(oldClient);

    const newer = await openOwnerSocket(alice);
    newer.sendJson({ type: 'HEARTBEAT' });

    await expect(newer.nextMessage(150)).rejects.toThrow(/no message/);
    expect(received).toEqual([]);

    registry.markOffline(oldClient);

    expect(await newer.nextMessage()).toEqual({ type: 'OPEN' });
    await expect.poll(() => received).toEqual(['{"type":"HEARTBEAT"}']);
  });

  test('newest waiting socket wins', async () => {
    const alice = createIdentity();
    const oldClient = fakeClient(alice.address);
    registry.markOnline(oldClient);

    const second = await openOwnerSocket(alice);
    const third = await openOwnerSocket(alice);
    const overtaken = await second.nextMessage();

    expect(overtaken.type).toBe('ERROR');
    expect((overtaken.payload as { msg: string }).msg).toMatch(/newer connection/);
    expect(await second.closed).toBe(1008);

    registry.markOffline(oldClient);
    expect(await third.nextMessage()).toEqual({ type: 'OPEN' });
  });

  test('old client that never leaves times out', async () => {
    const alice = createIdentity();
    registry.markOnline(fakeClient(alice.address));

    const newer = await openOwnerSocket(alice);
    const message = await newer.nextMessage(2_000);

    expect(message.type).toBe('ERROR');
    expect((message.payload as { msg: string }).msg).toMatch(/still closing; try again/);
    expect(await newer.closed).toBe(1008);
  });
});
