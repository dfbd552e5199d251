import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import nacl from 'tweetnacl';
import { toBase64Url } from '../../src/core/bytes.ts';
import { formatRelayToken } from '../../src/core/relay-proof.ts';
import { silentLogger, startRelay, type RunningRelay } from '../../signaling/server.ts';
import {
  createIdentity,
  createProofToken,
  fetchChallenge,
  openTestSocket,
  peerSocketUrl,
  registerPeer,
  signToken,
  waitFor,
} from './relay-client.ts';

let relay: RunningRelay;

beforeAll(async () => {
  relay = await startRelay({ port: 0, host: '127.0.0.1', logger: silentLogger });
});

afterAll(async () => {
  await relay.close();
});

async function readPeerCount(): Promise<number> {
  const response = await fetch(`${relay.url}/health`);

  return ((await response.json()) as { peers: number }).peers;
}

async function expectRejected(id: string, token: string, expectedMessage: RegExp): Promise<void> {
  const peer = await openTestSocket(peerSocketUrl(relay.url, id, token));
  const message = await peer.nextMessage();

  expect(message.type).toBe('ERROR');
  expect((message.payload as { msg: string }).msg).toMatch(expectedMessage);
  await peer.closed;
}

describe('peer registration', () => {
  test('valid proof gets OPEN', async () => {
    const alice = createIdentity();
    const peer = await registerPeer(relay.url, alice);

    expect(await readPeerCount()).toBe(1);

    peer.socket.close();
    await waitFor(readPeerCount, (count) => count === 0);
  });

  test('forged signature is rejected', async () => {
    const alice = createIdentity();
    const challenge = await fetchChallenge(relay.url);
    const forged = formatRelayToken(challenge, toBase64Url(new Uint8Array(64).fill(7)));

    await expectRejected(alice.address, forged, /address proof is invalid/);
    expect(await readPeerCount()).toBe(0);
  });

  test('reused challenge is rejected', async () => {
    const alice = createIdentity();
    const token = await createProofToken(relay.url, alice);
    const first = await openTestSocket(peerSocketUrl(relay.url, alice.address, token));

    expect((await first.nextMessage()).type).toBe('OPEN');

    first.socket.close();
    await waitFor(readPeerCount, (count) => count === 0);
    await expectRejected(alice.address, token, /challenge is unknown or already used/);
  });

  test('unknown challenge is rejected', async () => {
    const alice = createIdentity();
    const madeUpChallenge = toBase64Url(nacl.randomBytes(24));

    await expectRejected(alice.address, signToken(alice, madeUpChallenge), /challenge is unknown/);
  });

  test('squatter with own key is rejected', async () => {
    const victim = createIdentity();
    const squatter = createIdentity();
    const squatterToken = await createProofToken(relay.url, squatter);

    await expectRejected(victim.address, squatterToken, /address proof is invalid/);
  });

  test('squatter cannot displace registered owner', async () => {
    const victim = createIdentity();
    const squatter = createIdentity();
    const owner = await registerPeer(relay.url, victim);

    await expectRejected(victim.address, await createProofToken(relay.url, squatter), /address proof is invalid/);
    expect(owner.socket.readyState).toBe(owner.socket.OPEN);

    owner.socket.close();
    await owner.closed;
  });

  test('invalid address is rejected', async () => {
    const alice = createIdentity();

    await expectRejected('not-an-address', await createProofToken(relay.url, alice), /not a valid Meshtext address/);
  });

  test('malformed token is rejected', async () => {
    const alice = createIdentity();

    await expectRejected(alice.address, 'no-dot-here', /token is malformed/);
  });

  test('wrong key is rejected', async () => {
    const alice = createIdentity();
    const token = await createProofToken(relay.url, alice);
    const peer = await openTestSocket(peerSocketUrl(relay.url, alice.address, token, 'peerjs'));
    const message = await peer.nextMessage();

    expect(message.type).toBe('ERROR');
    expect((message.payload as { msg: string }).msg).toMatch(/invalid key/);
  });

  test('newer proof replaces older registration', async () => {
    const alice = createIdentity();
    const older = await registerPeer(relay.url, alice);
    const newer = await openTestSocket(peerSocketUrl(relay.url, alice.address, await createProofToken(relay.url, alice)));

    expect((await newer.nextMessage()).type).toBe('OPEN');
    await older.closed;
    expect(newer.socket.readyState).toBe(newer.socket.OPEN);
    expect(await readPeerCount()).toBe(1);

    newer.socket.close();
    await waitFor(readPeerCount, (count) => count === 0);
  });

  test('replacing socket keeps early messages', async () => {
    const alice = createIdentity();
    const bob = createIdentity();
    const bobPeer = await registerPeer(relay.url, bob);
    const older = await registerPeer(relay.url, alice);
    const newer = await openTestSocket(peerSocketUrl(relay.url, alice.address, await createProofToken(relay.url, alice)));

    // Sent before the relay sent OPEN, while the older socket is still being replaced.
    newer.sendJson({ type: 'OFFER', dst: bob.address, payload: { sdp: 'early' } });

    expect((await newer.nextMessage()).type).toBe('OPEN');
    const offer = await bobPeer.nextMessage();
    expect(offer.src).toBe(alice.address);
    expect(offer.payload).toEqual({ sdp: 'early' });

    await older.closed;
    newer.socket.close();
    bobPeer.socket.close();
    await waitFor(readPeerCount, (count) => count === 0);
  });
});

describe('relay without ownership check', () => {
  test('unsigned token is accepted', async () => {
    const lenient = await startRelay({ port: 0, host: '127.0.0.1', logger: silentLogger, skipOwnershipCheck: true });
    const alice = createIdentity();

    try {
      const peer = await openTestSocket(peerSocketUrl(lenient.url, alice.address, 'unsigned'));

      expect((await peer.nextMessage()).type).toBe('OPEN');
    } finally {
      await lenient.close();
    }
  });

  test('missing token is still rejected', async () => {
    const lenient = await startRelay({ port: 0, host: '127.0.0.1', logger: silentLogger, skipOwnershipCheck: true });
    const alice = createIdentity();

    try {
      const url = peerSocketUrl(lenient.url, alice.address, 'x').replace('&token=x', '');
      const peer = await openTestSocket(url);
      const message = await peer.nextMessage();

      expect(message.type).toBe('ERROR');
      expect((message.payload as { msg: string }).msg).toMatch(/missing id, token or key/);
    } finally {
      await lenient.close();
    }
  });
});
