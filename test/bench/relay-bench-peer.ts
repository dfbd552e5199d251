/**
 * Client helpers shared by the relay benchmark and its client processes: identities signed
 * with node:crypto (much faster than tweetnacl for thousands of keys), proof tokens, and
 * PeerJS and control sockets bound to a chosen loopback source address.
 */

import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import http from 'node:http';
import { WebSocket } from 'ws';
import { addressFromSigningKey } from '../../src/core/address.ts';
import { formatRelayToken, relayProofMessage } from '../../src/core/relay-proof.ts';

const OPEN_TIMEOUT_MS = 30_000;

/** Path and key that both servers use for PeerJS, as the Meshtext relay does. */
export const PEERJS_PATH = '/relay';
export const PEERJS_KEY = 'meshtext';

/** `meshtext` is this relay; `peerjs` is a stock PeerServer from the `peer` package. */
export type ServerKind = 'meshtext' | 'peerjs';

/** Memory usage of a server process, in bytes. */
export interface ServerMemory {
  rss: number;
  heapUsed: number;
  external: number;
}

/** An Ed25519 identity and its Meshtext address. */
export interface BenchIdentity {
  address: string;
  privateKey: KeyObject;
}

/** Creates a fresh identity. */
export function createBenchIdentity(): BenchIdentity {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const rawPublicKey = Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');

  return { address: addressFromSigningKey(rawPublicKey), privateKey };
}

/** Fetches a challenge from the relay at `port`, sending from `localAddress`. */
export function fetchChallenge(port: number, localAddress: string, agent?: http.Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/relay/challenge', localAddress, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        if (response.statusCode !== 200) {
          reject(new Error(`challenge request failed with HTTP ${response.statusCode}`));
          return;
        }
        resolve((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { challenge: string }).challenge);
      });
    });
    request.on('error', reject);
  });
}

/** Fetches a challenge and signs it for `identity`. */
export async function createProofToken(port: number, identity: BenchIdentity, localAddress: string, agent?: http.Agent): Promise<string> {
  let challenge: string;
  try {
    challenge = await fetchChallenge(port, localAddress, agent);
  } catch (error) {
    // A kept-alive connection that the server closed as idle just as it was reused fails with
    // ECONNRESET; browsers retry such a GET once, and so does the benchmark.
    if (!isResetError(error)) throw error;
    challenge = await fetchChallenge(port, localAddress, agent);
  }

  return formatRelayToken(challenge, sign(null, relayProofMessage(challenge), identity.privateKey).toString('base64url'));
}

/**
 * Registers a PeerJS client and resolves with its socket and id once the server sent OPEN.
 * Meshtext clients prove a fresh address. Plain PeerJS clients use a fresh address too, so
 * that messages have the same size on both servers, and any token.
 */
export async function openPeerSocket(kind: ServerKind, port: number, localAddress: string, agent?: http.Agent): Promise<{ socket: WebSocket; id: string }> {
  const identity = createBenchIdentity();
  const id = identity.address;
  const token = kind === 'meshtext' ? await createProofToken(port, identity, localAddress, agent) : 'token';

  const query = new URLSearchParams({ key: PEERJS_KEY, id, token });
  const socket = new WebSocket(`ws://127.0.0.1:${port}${PEERJS_PATH}/peerjs?${query.toString()}`, { localAddress, perMessageDeflate: false });
  await waitForFirstMessage(socket, 'OPEN');
  socket.on('error', () => {});

  return { socket, id };
}

/** Opens a control socket, authenticates it as `identity` and resolves after auth-ok. */
export async function openControlSocket(port: number, identity: BenchIdentity): Promise<WebSocket> {
  const token = await createProofToken(port, identity, '127.0.0.1');
  const socket = new WebSocket(`ws://127.0.0.1:${port}/relay/control`, { perMessageDeflate: false });

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`control socket did not open within ${OPEN_TIMEOUT_MS} ms`)), OPEN_TIMEOUT_MS);
    socket.once('open', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  const authenticated = waitForFirstMessage(socket, 'auth-ok');
  socket.send(JSON.stringify({ type: 'auth', address: identity.address, token }));
  await authenticated;

  return socket;
}

function waitForFirstMessage(socket: WebSocket, expectedType: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${expectedType} within ${OPEN_TIMEOUT_MS} ms`)), OPEN_TIMEOUT_MS);
    socket.once('message', (data) => {
      clearTimeout(timer);
      const message = JSON.parse(String(data)) as { type: string; payload?: { msg?: string }; message?: string };
      if (message.type === expectedType) resolve();
      else reject(new Error(`expected ${expectedType}, got ${message.type}: ${message.payload?.msg ?? message.message ?? ''}`));
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

function isResetError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'ECONNRESET';
}
