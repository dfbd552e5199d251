import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nacl from 'tweetnacl';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { toBase64Url } from '../../src/core/bytes.ts';
import { formatRelayToken } from '../../src/core/relay-proof.ts';
import { startRelay, type Logger, type RelayOptions, type RunningRelay } from '../../signaling/server.ts';
import {
  controlSocketUrl,
  createIdentity,
  createProofToken,
  fetchChallenge,
  openAuthenticatedControl,
  openTestSocket,
  requestMailbox,
  type TestSocket,
} from './relay-client.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

const logLines: string[] = [];
const capturingLogger: Logger = {
  debug: (event, fields) => logLines.push(JSON.stringify({ level: 'debug', event, ...fields })),
  info: (event, fields) => logLines.push(JSON.stringify({ level: 'info', event, ...fields })),
  warn: (event, fields) => logLines.push(JSON.stringify({ level: 'warn', event, ...fields })),
  error: (event, fields) => logLines.push(JSON.stringify({ level: 'error', event, ...fields })),
};

let dataDir: string;
let clockMs = Date.UTC(2030, 0, 1);
let relay: RunningRelay;
const openSockets: TestSocket[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'meshtext-relay-mailbox-'));
  relay = await startRelay({ port: 0, host: '127.0.0.1', dataDir, logger: capturingLogger, now: () => clockMs });
});

afterAll(async () => {
  await relay.close();
  await rm(dataDir, { recursive: true, force: true });
});

afterEach(() => {
  for (const socket of openSockets.splice(0)) socket.socket.close();
});

function track(socket: TestSocket): TestSocket {
  openSockets.push(socket);

  return socket;
}

async function authenticated(identity = createIdentity(), relayUrl = relay.url): Promise<TestSocket> {
  return track(await openAuthenticatedControl(relayUrl, identity));
}

function envelopeOf(byteCount: number, fill = 7): string {
  return toBase64Url(new Uint8Array(byteCount).fill(fill));
}

async function readHealth(relayUrl = relay.url): Promise<Record<string, number>> {
  return (await (await fetch(`${relayUrl}/health`)).json()) as Record<string, number>;
}

async function readMetric(name: string, relayUrl = relay.url): Promise<number> {
  const text = await (await fetch(`${relayUrl}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `) || candidate.startsWith(`${name}{`));

  return line === undefined ? NaN : Number(line.split(' ').at(-1));
}

async function withRelay(options: Partial<RelayOptions>, run: (relayUrl: string, extra: RunningRelay) => Promise<void>): Promise<void> {
  const extra = await startRelay({ port: 0, host: '127.0.0.1', logger: capturingLogger, ...options });

  try {
    await run(extra.url, extra);
  } finally {
    await extra.close();
  }
}

describe('control socket authentication', () => {
  test('valid proof gets auth-ok', async () => {
    const alice = createIdentity();
    const control = track(await openTestSocket(controlSocketUrl(relay.url)));

    control.sendJson({ type: 'auth', address: alice.address, token: await createProofToken(relay.url, alice) });

    expect(await control.nextMessage()).toEqual({ type: 'auth-ok', address: alice.address });
  });

  test('forged signature gets error and close', async () => {
    const alice = createIdentity();
    const control = await openTestSocket(controlSocketUrl(relay.url));
    const forged = formatRelayToken(await fetchChallenge(relay.url), toBase64Url(new Uint8Array(64).fill(7)));

    control.sendJson({ type: 'auth', address: alice.address, token: forged });
    const reply = await control.nextMessage();

    expect(reply.type).toBe('error');
    expect(reply.message).toMatch(/address proof is invalid/);
    expect(await control.closed).toBe(1008);
  });

  test('reused challenge gets error and close', async () => {
    const alice = createIdentity();
    const token = await createProofToken(relay.url, alice);
    const first = track(await openTestSocket(controlSocketUrl(relay.url)));
    const second = await openTestSocket(controlSocketUrl(relay.url));

    first.sendJson({ type: 'auth', address: alice.address, token });
    expect((await first.nextMessage()).type).toBe('auth-ok');

    second.sendJson({ type: 'auth', address: alice.address, token });
    const reply = await second.nextMessage();
    expect(reply.type).toBe('error');
    expect(reply.message).toMatch(/challenge is unknown or already used/);
    expect(await second.closed).toBe(1008);
  });

  test('proof for another address is rejected', async () => {
    const victim = createIdentity();
    const squatter = createIdentity();
    const control = await openTestSocket(controlSocketUrl(relay.url));

    control.sendJson({ type: 'auth', address: victim.address, token: await createProofToken(relay.url, squatter) });

    expect((await control.nextMessage()).message).toMatch(/address proof is invalid/);
    expect(await control.closed).toBe(1008);
  });

  test('second auth on one socket is rejected', async () => {
    const alice = createIdentity();
    const control = await openAuthenticatedControl(relay.url, alice);

    control.sendJson({ type: 'auth', address: createIdentity().address, token: await createProofToken(relay.url, alice) });
    const reply = await control.nextMessage();

    expect(reply.type).toBe('error');
    expect(reply.message).toMatch(/already authenticated/);
    expect(await control.closed).toBe(1008);
  });
});

describe('mailbox with proof', () => {
  test('store fetch delete round trip', async () => {
    const alice = createIdentity();
    const bob = createIdentity();
    const aliceControl = await authenticated(alice);
    const envelope = envelopeOf(1000, 42);

    const stored = await requestMailbox(aliceControl, { type: 'mailbox-put', to: bob.address, envelope, ttlMs: 60_000 });
    expect(stored.type).toBe('mailbox-stored');
    expect(stored.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(stored.expiresAt).toBe(clockMs + 60_000);

    const bobControl = await authenticated(bob);
    const fetched = await requestMailbox(bobControl, { type: 'mailbox-fetch', limit: 10 });
    expect(fetched.type).toBe('mailbox-envelopes');
    expect(fetched.envelopes).toEqual([{ id: stored.id, envelope, storedAt: clockMs, expiresAt: clockMs + 60_000 }]);

    const deleted = await requestMailbox(bobControl, { type: 'mailbox-delete', ids: [stored.id] });
    expect(deleted).toMatchObject({ type: 'mailbox-deleted', count: 1 });

    const again = await requestMailbox(bobControl, { type: 'mailbox-fetch' });
    expect(again.envelopes).toEqual([]);
  });

  test('fetch returns oldest first', async () => {
    const bob = createIdentity();
    const aliceControl = await authenticated();
    const ids: unknown[] = [];

    for (let index = 0; index < 5; index++) {
      clockMs += 1;
      ids.push((await requestMailbox(aliceControl, { type: 'mailbox-put', to: bob.address, envelope: envelopeOf(10, index) })).id);
    }

    const bobControl = await authenticated(bob);
    const firstPage = await requestMailbox(bobControl, { type: 'mailbox-fetch', limit: 3 });
    const envelopes = firstPage.envelopes as { id: string; envelope: string }[];

    expect(envelopes.map((envelope) => envelope.id)).toEqual(ids.slice(0, 3));
    expect(envelopes[1]?.envelope).toBe(envelopeOf(10, 1));
  });

  test('recipient is told of new mail', async () => {
    const bob = createIdentity();
    const bobControl = await authenticated(bob);
    const aliceControl = await authenticated();

    await requestMailbox(aliceControl, { type: 'mailbox-put', to: bob.address, envelope: envelopeOf(16) });

    expect(await bobControl.nextMessage()).toEqual({ type: 'mailbox-new' });
  });

  test('missing ttl defaults to 14 days', async () => {
    const aliceControl = await authenticated();
    const stored = await requestMailbox(aliceControl, { type: 'mailbox-put', to: createIdentity().address, envelope: envelopeOf(16) });

    expect(stored.expiresAt).toBe(clockMs + 14 * DAY_MS);
  });

  test('ttl over 14 days is invalid', async () => {
    const aliceControl = await authenticated();
    const reply = await requestMailbox(aliceControl, {
      type: 'mailbox-put',
      to: createIdentity().address,
      envelope: envelopeOf(16),
      ttlMs: 14 * DAY_MS + 1,
    });

    expect(reply).toMatchObject({ type: 'mailbox-error', reason: 'invalid' });
    expect(reply.message).toMatch(/ttlMs must be an integer from 1 to 1209600000/);
  });

  test('other mailbox stays private', async () => {
    const alice = createIdentity();
    const bob = createIdentity();
    const mallory = createIdentity();
    const aliceControl = await authenticated(alice);
    const stored = await requestMailbox(aliceControl, { type: 'mailbox-put', to: bob.address, envelope: envelopeOf(32) });
    const malloryControl = await authenticated(mallory);

    expect((await requestMailbox(malloryControl, { type: 'mailbox-fetch' })).envelopes).toEqual([]);
    expect(await requestMailbox(malloryControl, { type: 'mailbox-delete', ids: [stored.id] })).toMatchObject({ count: 0 });

    const bobControl = await authenticated(bob);
    const fetched = await requestMailbox(bobControl, { type: 'mailbox-fetch' });
    expect((fetched.envelopes as unknown[]).length).toBe(1);
  });

  test('health and metrics count envelopes', async () => {
    const before = await readHealth();
    const storedBefore = await readMetric('meshtext_mailbox_stored_total');
    const aliceControl = await authenticated();

    await requestMailbox(aliceControl, { type: 'mailbox-put', to: createIdentity().address, envelope: envelopeOf(300) });
    const after = await readHealth();

    expect(after.mailboxEnvelopes).toBe((before.mailboxEnvelopes ?? 0) + 1);
    expect(after.mailboxBytes).toBe((before.mailboxBytes ?? 0) + 300);
    expect(await readMetric('meshtext_mailbox_stored_total')).toBe(storedBefore + 1);
    expect(await readMetric('meshtext_mailbox_envelopes')).toBe(after.mailboxEnvelopes);
    expect(await readMetric('meshtext_mailbox_bytes')).toBe(after.mailboxBytes);
  });

  test('logs show address prefixes only', async () => {
    const alice = createIdentity();
    const bob = createIdentity();
    const aliceControl = await authenticated(alice);
    const envelope = toBase64Url(nacl.randomBytes(64));

    await requestMailbox(aliceControl, { type: 'mailbox-put', to: bob.address, envelope });

    const allLogs = logLines.join('\n');
    const stored = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.event === 'envelope stored');
    expect(stored.some((entry) => entry.from === alice.address.slice(0, 12) && entry.to === bob.address.slice(0, 12))).toBe(true);
    expect(allLogs).not.toContain(alice.address);
    expect(allLogs).not.toContain(bob.address);
    expect(allLogs).not.toContain(envelope);
  });
});

describe('mailbox without proof', () => {
  test('fetch is refused', async () => {
    const control = track(await openTestSocket(controlSocketUrl(relay.url)));
    const reply = await requestMailbox(control, { type: 'mailbox-fetch' });

    expect(reply).toMatchObject({ type: 'mailbox-error', reason: 'unauthenticated' });
    control.sendJson({ type: 'ping' });
    expect((await control.nextMessage()).type).toBe('pong');
  });

  test('delete and store are refused', async () => {
    const control = track(await openTestSocket(controlSocketUrl(relay.url)));

    expect(await requestMailbox(control, { type: 'mailbox-delete', ids: ['abc'] })).toMatchObject({ reason: 'unauthenticated' });
    expect(await requestMailbox(control, { type: 'mailbox-put', to: createIdentity().address, envelope: envelopeOf(8) })).toMatchObject({
      reason: 'unauthenticated',
    });
  });
});

describe('mailbox input checks', () => {
  test('envelope of 64 KiB is stored', async () => {
    const aliceControl = await authenticated();
    const reply = await requestMailbox(aliceControl, { type: 'mailbox-put', to: createIdentity().address, envelope: envelopeOf(64 * 1024) });

    expect(reply.type).toBe('mailbox-stored');
  });

  test('oversize envelope is too-large', async () => {
    const aliceControl = await authenticated();
    const reply = await requestMailbox(aliceControl, { type: 'mailbox-put', to: createIdentity().address, envelope: envelopeOf(64 * 1024 + 1) });

    expect(reply).toMatchObject({ type: 'mailbox-error', reason: 'too-large' });
    expect(aliceControl.socket.readyState).toBe(aliceControl.socket.OPEN);
  });

  test('invalid fields are reported per request', async () => {
    const aliceControl = await authenticated();
    const to = createIdentity().address;
    const cases: Record<string, unknown>[] = [
      { type: 'mailbox-put', to: 'mt1nope', envelope: envelopeOf(8) },
      { type: 'mailbox-put', to, envelope: 'not base64url!' },
      { type: 'mailbox-put', to, envelope: '' },
      { type: 'mailbox-put', to, envelope: envelopeOf(8), ttlMs: '60000' },
      { type: 'mailbox-put', to, envelope: envelopeOf(8), ttlMs: -5 },
      { type: 'mailbox-fetch', limit: 101 },
      { type: 'mailbox-fetch', limit: 0 },
      { type: 'mailbox-delete', ids: [] },
      { type: 'mailbox-delete', ids: ['has space'] },
    ];

    for (const request of cases) {
      const reply = await requestMailbox(aliceControl, request);
      expect(reply, JSON.stringify(request)).toMatchObject({ type: 'mailbox-error', reason: 'invalid' });
    }
    expect(aliceControl.socket.readyState).toBe(aliceControl.socket.OPEN);
  });

  test('missing request id closes socket', async () => {
    const aliceControl = await openAuthenticatedControl(relay.url, createIdentity());

    aliceControl.sendJson({ type: 'mailbox-fetch' });
    const reply = await aliceControl.nextMessage();

    expect(reply.type).toBe('error');
    expect(reply.message).toMatch(/requestId/);
    expect(await aliceControl.closed).toBe(1008);
  });

  test('malformed JSON closes only that socket', async () => {
    const bystander = await authenticated();
    const control = await openAuthenticatedControl(relay.url, createIdentity());

    control.socket.send('{"type":"mailbox-put","requestId":');

    expect(await control.nextMessage()).toEqual({ type: 'error', message: 'message is not valid JSON' });
    expect(await control.closed).toBe(1008);
    expect((await requestMailbox(bystander, { type: 'mailbox-fetch' })).type).toBe('mailbox-envelopes');
  });
});

describe('mailbox expiry', () => {
  test('expired envelope is hidden then swept', async () => {
    const bob = createIdentity();
    const aliceControl = await authenticated();
    const expiredBefore = await readMetric('meshtext_mailbox_expired_total');
    const healthBefore = await readHealth();

    await requestMailbox(aliceControl, { type: 'mailbox-put', to: bob.address, envelope: envelopeOf(100), ttlMs: 1_000 });
    clockMs += 1_000;

    const bobControl = await authenticated(bob);
    expect((await requestMailbox(bobControl, { type: 'mailbox-fetch' })).envelopes).toEqual([]);
    expect(relay.sweepMailbox()).toBe(1);
    expect(await readMetric('meshtext_mailbox_expired_total')).toBe(expiredBefore + 1);
    expect((await readHealth()).mailboxEnvelopes).toBe(healthBefore.mailboxEnvelopes);
  });

  test('periodic sweep removes expired envelopes', async () => {
    let nowMs = Date.UTC(2030, 5, 1);

    await withRelay({ now: () => nowMs, mailboxSweepIntervalMs: 50 }, async (relayUrl) => {
      const control = await authenticated(createIdentity(), relayUrl);
      await requestMailbox(control, { type: 'mailbox-put', to: createIdentity().address, envelope: envelopeOf(10), ttlMs: 10 });
      expect((await readHealth(relayUrl)).mailboxEnvelopes).toBe(1);

      nowMs += 10;
      await new Promise((resolve) => setTimeout(resolve, 200));

      expect((await readHealth(relayUrl)).mailboxEnvelopes).toBe(0);
      control.socket.close();
    });
  });
});

describe('mailbox quota', () => {
  test('envelope count quota is enforced', async () => {
    await withRelay({ limits: { mailboxMaxEnvelopes: 3 } }, async (relayUrl) => {
      const bob = createIdentity();
      const control = await authenticated(createIdentity(), relayUrl);
      const replies: Record<string, unknown>[] = [];

      for (let index = 0; index < 4; index++) {
        replies.push(await requestMailbox(control, { type: 'mailbox-put', to: bob.address, envelope: envelopeOf(10) }));
      }

      expect(replies.slice(0, 3).map((reply) => reply.type)).toEqual(['mailbox-stored', 'mailbox-stored', 'mailbox-stored']);
      expect(replies[3]).toMatchObject({ type: 'mailbox-error', reason: 'quota-exceeded' });

      const other = await requestMailbox(control, { type: 'mailbox-put', to: createIdentity().address, envelope: envelopeOf(10) });
      expect(other.type).toBe('mailbox-stored');
      control.socket.close();
    });
  });

  test('byte quota is enforced and freed by delete', async () => {
    await withRelay({ limits: { mailboxMaxBytes: 1000 } }, async (relayUrl) => {
      const bob = createIdentity();
      const aliceControl = await authenticated(createIdentity(), relayUrl);

      const first = await requestMailbox(aliceControl, { type: 'mailbox-put', to: bob.address, envelope: envelopeOf(600) });
      const second = await requestMailbox(aliceControl, { type: 'mailbox-put', to: bob.address, envelope: envelopeOf(600) });
      expect(first.type).toBe('mailbox-stored');
      expect(second).toMatchObject({ type: 'mailbox-error', reason: 'quota-exceeded' });

      const bobControl = await authenticated(bob, relayUrl);
      await requestMailbox(bobControl, { type: 'mailbox-delete', ids: [first.id] });

      const third = await requestMailbox(aliceControl, { type: 'mailbox-put', to: bob.address, envelope: envelopeOf(600) });
      expect(third.type).toBe('mailbox-stored');
      aliceControl.socket.close();
      bobControl.socket.close();
    });
  });

  test('quota holds within one commit group', async () => {
    await withRelay({ limits: { mailboxMaxEnvelopes: 5 } }, async (relayUrl) => {
      const bob = createIdentity();
      const control = await authenticated(createIdentity(), relayUrl);
      const requestIds = Array.from({ length: 8 }, (_, index) => `burst-${index}`);

      // Sent without waiting, so the stores reach the relay together and share one transaction.
      for (const requestId of requestIds) control.sendJson({ type: 'mailbox-put', requestId, to: bob.address, envelope: envelopeOf(10) });
      const replies = await Promise.all(requestIds.map(() => control.nextMessage()));

      expect(replies.filter((reply) => reply.type === 'mailbox-stored')).toHaveLength(5);
      expect(replies.filter((reply) => reply.reason === 'quota-exceeded')).toHaveLength(3);
      control.socket.close();
    });
  });
});
