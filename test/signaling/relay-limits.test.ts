import { describe, expect, test } from 'vitest';
import { silentLogger, startRelay, type RelayOptions } from '../../signaling/server.ts';
import {
  controlSocketUrl,
  createIdentity,
  createProofToken,
  openAuthenticatedControl,
  openTestSocket,
  peerSocketUrl,
  registerPeer,
  requestMailbox,
  type TestSocket,
} from './relay-client.ts';

// A rate this slow refills nothing during a test, so only the burst counts.
const NO_REFILL = 0.001;

async function withRelay(options: Partial<RelayOptions>, run: (relayUrl: string) => Promise<void>): Promise<void> {
  const relay = await startRelay({ port: 0, host: '127.0.0.1', logger: silentLogger, ...options });

  try {
    await run(relay.url);
  } finally {
    await relay.close();
  }
}

async function readRejections(relayUrl: string, kind: string, reason: string): Promise<number> {
  const text = await (await fetch(`${relayUrl}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`meshtext_relay_rejections_total{kind="${kind}",reason="${reason}"}`));

  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

async function expectPong(control: TestSocket): Promise<void> {
  control.sendJson({ type: 'ping' });

  expect((await control.nextMessage()).type).toBe('pong');
}

describe('rate limits', () => {
  test('mailbox stores limited per sender', async () => {
    await withRelay({ limits: { mailboxPuts: { ratePerSecond: NO_REFILL, burst: 3 } } }, async (relayUrl) => {
      const to = createIdentity().address;
      const alice = await openAuthenticatedControl(relayUrl, createIdentity());
      const carol = await openAuthenticatedControl(relayUrl, createIdentity());
      const put = { type: 'mailbox-put', to, envelope: 'AAAA' };

      for (let index = 0; index < 3; index++) expect((await requestMailbox(alice, put)).type).toBe('mailbox-stored');
      const limited = await requestMailbox(alice, put);

      expect(limited).toMatchObject({ type: 'mailbox-error', reason: 'rate-limited' });
      expect(alice.socket.readyState).toBe(alice.socket.OPEN);
      expect((await requestMailbox(carol, put)).type).toBe('mailbox-stored');
      alice.socket.close();
      carol.socket.close();
    });
  });

  test('mailbox store limit spans sockets of an address', async () => {
    await withRelay({ limits: { mailboxPuts: { ratePerSecond: NO_REFILL, burst: 2 } } }, async (relayUrl) => {
      const alice = createIdentity();
      const first = await openAuthenticatedControl(relayUrl, alice);
      const second = await openAuthenticatedControl(relayUrl, alice);
      const put = { type: 'mailbox-put', to: createIdentity().address, envelope: 'AAAA' };

      expect((await requestMailbox(first, put)).type).toBe('mailbox-stored');
      expect((await requestMailbox(second, put)).type).toBe('mailbox-stored');
      expect(await requestMailbox(second, put)).toMatchObject({ reason: 'rate-limited' });
      first.socket.close();
      second.socket.close();
    });
  });

  test('control message flood closes that socket', async () => {
    await withRelay({ limits: { controlMessages: { ratePerSecond: NO_REFILL, burst: 5 } } }, async (relayUrl) => {
      const bystander = await openTestSocket(controlSocketUrl(relayUrl));
      const flooder = await openTestSocket(controlSocketUrl(relayUrl));

      for (let index = 0; index < 6; index++) flooder.sendJson({ type: 'ping' });
      const replies = [];
      for (let index = 0; index < 6; index++) replies.push(await flooder.nextMessage());

      expect(replies.slice(0, 5).every((reply) => reply.type === 'pong')).toBe(true);
      expect(replies[5]?.type).toBe('error');
      expect(replies[5]?.message).toMatch(/too many control messages/);
      expect(await flooder.closed).toBe(1008);
      await expectPong(bystander);
      expect(await readRejections(relayUrl, 'control', 'rate-limited')).toBe(1);
      bystander.socket.close();
    });
  });

  test('PeerJS message flood closes that socket', async () => {
    await withRelay({ limits: { peerMessages: { ratePerSecond: NO_REFILL, burst: 5 } } }, async (relayUrl) => {
      const alice = createIdentity();
      const bob = createIdentity();
      const alicePeer = await registerPeer(relayUrl, alice);
      const bobPeer = await registerPeer(relayUrl, bob);

      for (let index = 0; index < 10; index++) {
        alicePeer.sendJson({ type: 'OFFER', dst: bob.address, payload: { index } });
      }

      const error = await alicePeer.nextMessage();
      expect(error.type).toBe('ERROR');
      expect((error.payload as { msg: string }).msg).toMatch(/too many messages/);
      expect(await alicePeer.closed).toBe(1008);

      const forwarded = [];
      for (let index = 0; index < 5; index++) forwarded.push(await bobPeer.nextMessage());
      expect(forwarded.map((message) => (message.payload as { index: number }).index)).toEqual([0, 1, 2, 3, 4]);
      await expect(bobPeer.nextMessage(300)).rejects.toThrow(/no message/);

      const carolPeer = await registerPeer(relayUrl, createIdentity());
      carolPeer.sendJson({ type: 'OFFER', dst: bob.address, payload: { from: 'carol' } });
      expect((await bobPeer.nextMessage()).payload).toEqual({ from: 'carol' });
      bobPeer.socket.close();
      carolPeer.socket.close();
    });
  });

  test('challenges limited per client IP', async () => {
    await withRelay({ limits: { challenges: { ratePerSecond: NO_REFILL, burst: 3 } } }, async (relayUrl) => {
      const statuses = [];
      for (let index = 0; index < 4; index++) statuses.push((await fetch(`${relayUrl}/relay/challenge`)).status);
      const limited = await fetch(`${relayUrl}/relay/challenge`);

      expect(statuses).toEqual([200, 200, 200, 429]);
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('1000');
      expect(((await limited.json()) as { error: string }).error).toMatch(/too many challenge requests/);
    });
  });
});

describe('connection limits', () => {
  test('peer limit rejects new addresses only', async () => {
    await withRelay({ concurrentLimit: 2 }, async (relayUrl) => {
      const alice = createIdentity();
      const alicePeer = await registerPeer(relayUrl, alice);
      const bobPeer = await registerPeer(relayUrl, createIdentity());
      const carol = createIdentity();

      const carolPeer = await openTestSocket(peerSocketUrl(relayUrl, carol.address, await createProofToken(relayUrl, carol)));
      const rejection = await carolPeer.nextMessage();
      expect(rejection.type).toBe('ERROR');
      expect((rejection.payload as { msg: string }).msg).toMatch(/peer limit/);
      await carolPeer.closed;

      // A reload of a registered address replaces its socket even at the limit.
      const aliceAgain = await openTestSocket(peerSocketUrl(relayUrl, alice.address, await createProofToken(relayUrl, alice)));
      expect((await aliceAgain.nextMessage()).type).toBe('OPEN');
      await alicePeer.closed;
      expect(await readRejections(relayUrl, 'peer', 'limit-reached')).toBe(1);
      aliceAgain.socket.close();
      bobPeer.socket.close();
    });
  });

  test('control socket limit rejects extra sockets', async () => {
    await withRelay({ limits: { maxControlSockets: 1 } }, async (relayUrl) => {
      const first = await openTestSocket(controlSocketUrl(relayUrl));
      const second = await openTestSocket(controlSocketUrl(relayUrl));

      expect((await second.nextMessage()).message).toMatch(/control socket limit/);
      expect(await second.closed).toBe(1013);
      await expectPong(first);
      first.socket.close();
    });
  });
});

describe('relay shutdown', () => {
  test('close sends going away to sockets', async () => {
    const relay = await startRelay({ port: 0, host: '127.0.0.1', logger: silentLogger });
    const control = await openAuthenticatedControl(relay.url, createIdentity());
    const peer = await registerPeer(relay.url, createIdentity());

    await relay.close();

    expect(await control.closed).toBe(1001);
    expect(await peer.closed).toBe(1001);
  });
});
