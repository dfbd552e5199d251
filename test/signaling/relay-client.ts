/**
 * Test helpers that act as Meshtext clients of a relay: identities signed with tweetnacl,
 * proof tokens, and WebSockets whose messages are queued so no early message is missed.
 */

import nacl from 'tweetnacl';
import { WebSocket, type ClientOptions } from 'ws';
import { addressFromSigningKey } from '../../src/core/address.ts';
import { toBase64Url } from '../../src/core/bytes.ts';
import { formatRelayToken, relayProofMessage } from '../../src/core/relay-proof.ts';

const DEFAULT_WAIT_MS = 3_000;

/** Key pair of a test user and the address derived from it. */
export interface TestIdentity {
  address: string;
  secretKey: Uint8Array;
}

/** Creates a fresh Ed25519 identity. */
export function createIdentity(): TestIdentity {
  const keyPair = nacl.sign.keyPair();

  return { address: addressFromSigningKey(keyPair.publicKey), secretKey: keyPair.secretKey };
}

/** Fetches a challenge from the relay. */
export async function fetchChallenge(relayUrl: string): Promise<string> {
  const response = await fetch(`${relayUrl}/relay/challenge`);
  const body = (await response.json()) as { challenge: string };

  return body.challenge;
}

/** Signs a challenge with an identity and returns the PeerJS token. */
export function signToken(identity: TestIdentity, challenge: string): string {
  const signature = nacl.sign.detached(relayProofMessage(challenge), identity.secretKey);

  return formatRelayToken(challenge, toBase64Url(signature));
}

/** Fetches a fresh challenge and returns a valid token for the identity. */
export async function createProofToken(relayUrl: string, identity: TestIdentity): Promise<string> {
  return signToken(identity, await fetchChallenge(relayUrl));
}

/** Builds the PeerJS WebSocket URL of a relay. */
export function peerSocketUrl(relayUrl: string, id: string, token: string, key = 'meshtext'): string {
  const query = new URLSearchParams({ key, id, token });

  return `${relayUrl.replace(/^http/, 'ws')}/relay/peerjs?${query.toString()}`;
}

/** Builds the control WebSocket URL of a relay. */
export function controlSocketUrl(relayUrl: string): string {
  return `${relayUrl.replace(/^http/, 'ws')}/relay/control`;
}

/** WebSocket client that queues incoming JSON messages. */
export interface TestSocket {
  readonly socket: WebSocket;
  /** Resolves with the close code once the socket closed. */
  readonly closed: Promise<number>;
  /** Resolves with the next message, parsed as JSON, or rejects after `timeoutMs`. */
  nextMessage(timeoutMs?: number): Promise<Record<string, unknown>>;
  sendJson(value: unknown): void;
}

/** Opens a WebSocket and resolves once it is open. `options` go to ws, for example `ca` or `headers`. */
export function openTestSocket(url: string, options?: ClientOptions): Promise<TestSocket> {
  const socket = new WebSocket(url, options);
  const queued: Record<string, unknown>[] = [];
  const waiters: ((message: Record<string, unknown>) => void)[] = [];

  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as Record<string, unknown>;
    const waiter = waiters.shift();

    if (waiter) waiter(message);
    else queued.push(message);
  });

  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));

  const nextMessage = (timeoutMs = DEFAULT_WAIT_MS): Promise<Record<string, unknown>> => {
    const message = queued.shift();
    if (message) return Promise.resolve(message);

    return new Promise((resolve, reject) => {
      const waiter = (received: Record<string, unknown>): void => {
        clearTimeout(timer);
        resolve(received);
      };
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(waiter), 1);
        reject(new Error(`no message within ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.push(waiter);
    });
  };

  const testSocket: TestSocket = {
    socket,
    closed,
    nextMessage,
    sendJson: (value) => socket.send(JSON.stringify(value)),
  };

  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(testSocket));
    socket.once('error', reject);
  });
}

/** Registers an identity with a valid proof and resolves once the relay sent OPEN. */
export async function registerPeer(relayUrl: string, identity: TestIdentity): Promise<TestSocket> {
  const token = await createProofToken(relayUrl, identity);
  const peer = await openTestSocket(peerSocketUrl(relayUrl, identity.address, token));
  const first = await peer.nextMessage();

  if (first.type !== 'OPEN') throw new Error(`expected OPEN, got ${JSON.stringify(first)}`);

  return peer;
}

/** Resolves with the result of `read` once `isDone` accepts it, polling every 20 ms. */
export async function waitFor<T>(read: () => Promise<T> | T, isDone: (value: T) => boolean, timeoutMs = DEFAULT_WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;

  for (;;) {
    const value = await read();
    if (isDone(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms, last value ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Opens a control socket and authenticates it as `identity`; resolves after auth-ok. */
export async function openAuthenticatedControl(relayUrl: string, identity: TestIdentity, options?: ClientOptions): Promise<TestSocket> {
  const token = await createProofToken(relayUrl, identity);
  const control = await openTestSocket(controlSocketUrl(relayUrl), options);

  control.sendJson({ type: 'auth', address: identity.address, token });
  const reply = await control.nextMessage();
  if (reply.type !== 'auth-ok') throw new Error(`expected auth-ok, got ${JSON.stringify(reply)}`);

  return control;
}

/** Resolves with the next message that carries `requestId`, skipping others such as mailbox-new. */
export async function nextReply(control: TestSocket, requestId: string, timeoutMs = DEFAULT_WAIT_MS): Promise<Record<string, unknown>> {
  for (;;) {
    const message = await control.nextMessage(timeoutMs);
    if (message.requestId === requestId) return message;
  }
}

let requestCounter = 0;

/** Sends a mailbox request with a fresh request id and resolves with its reply. */
export function requestMailbox(control: TestSocket, request: Record<string, unknown>): Promise<Record<string, unknown>> {
  const requestId = `r${++requestCounter}`;

  control.sendJson({ ...request, requestId });

  return nextReply(control, requestId);
}
