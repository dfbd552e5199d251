import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { silentLogger } from '../../signaling/logger.ts';
import { MailboxError, openMailbox, type Mailbox, type MailboxOptions } from '../../signaling/mailbox.ts';
import { createRelayMetrics } from '../../signaling/metrics.ts';
import { DEFAULT_LIMITS } from '../../signaling/relay-limits.ts';
import { createIdentity } from './relay-client.ts';

let dataDir: string;
const opened: Mailbox[] = [];

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'meshtext-mailbox-'));
});

afterEach(async () => {
  for (const mailbox of opened.splice(0)) mailbox.close();
  await rm(dataDir, { recursive: true, force: true });
});

function open(overrides: Partial<MailboxOptions> = {}): Mailbox {
  const mailbox = openMailbox({ dataDir, limits: DEFAULT_LIMITS, logger: silentLogger, metrics: createRelayMetrics(), ...overrides });
  opened.push(mailbox);

  return mailbox;
}

function storeFor(mailbox: Mailbox, recipient: string, body: Buffer, ttlMs?: number) {
  return mailbox.store({ sender: createIdentity().address, recipient, body, ttlMs });
}

describe('mailbox storage', () => {
  test('envelopes survive reopen', async () => {
    const bob = createIdentity().address;
    const first = open();
    const receipt = await storeFor(first, bob, Buffer.from('sealed bytes'));
    first.close();

    const second = open();
    const [envelope] = second.fetch(bob, 10);

    expect(envelope?.id).toBe(receipt.id);
    expect(envelope?.body.toString()).toBe('sealed bytes');
    expect(second.usage()).toEqual({ count: 1, bytes: 12 });
  });

  test('close commits queued stores', async () => {
    const bob = createIdentity().address;
    const first = open();
    const pending = storeFor(first, bob, Buffer.from('queued'));

    first.close();
    await expect(pending).resolves.toMatchObject({ id: expect.any(String) as string });
    expect(open().fetch(bob, 10)).toHaveLength(1);
  });

  test('second mailbox on one directory fails', () => {
    open();

    expect(() => open()).toThrow(expect.objectContaining({ code: 'SQLITE_BUSY' }) as Error);
  });

  test('store after close is unavailable', async () => {
    const mailbox = open();
    mailbox.close();

    await expect(storeFor(mailbox, createIdentity().address, Buffer.from('late'))).rejects.toMatchObject({ reason: 'unavailable' });
  });

  test('fetch stops at reply byte cap', async () => {
    const bob = createIdentity().address;
    const mailbox = open();
    const big = Buffer.alloc(64 * 1024, 1);

    await Promise.all(Array.from({ length: 100 }, () => storeFor(mailbox, bob, big)));
    const envelopes = mailbox.fetch(bob, 100);

    expect(envelopes).toHaveLength(64);
  });

  test('pending store queue is bounded', async () => {
    const mailbox = open({ limits: { ...DEFAULT_LIMITS, maxPendingStores: 2 } });
    const bob = createIdentity().address;
    const results = await Promise.allSettled([1, 2, 3].map(() => storeFor(mailbox, bob, Buffer.from('x'))));

    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(MailboxError);
    expect((results[2] as PromiseRejectedResult).reason).toMatchObject({ reason: 'rate-limited' });
  });

  test('sweep frees quota of expired envelopes', async () => {
    let nowMs = 1_000_000;
    const bob = createIdentity().address;
    const mailbox = open({ now: () => nowMs, limits: { ...DEFAULT_LIMITS, mailboxMaxEnvelopes: 1 } });

    await storeFor(mailbox, bob, Buffer.from('a'), 100);
    await expect(storeFor(mailbox, bob, Buffer.from('b'))).rejects.toMatchObject({ reason: 'quota-exceeded' });

    nowMs += 100;
    expect(mailbox.sweepExpired()).toBe(1);
    await expect(storeFor(mailbox, bob, Buffer.from('c'))).resolves.toBeDefined();
    expect(mailbox.usage()).toEqual({ count: 1, bytes: 1 });
  });

  test('expired envelopes are swept on open', async () => {
    let nowMs = 1_000_000;
    const first = open({ now: () => nowMs });
    await storeFor(first, createIdentity().address, Buffer.from('old'), 50);
    first.close();

    nowMs += 50;
    expect(open({ now: () => nowMs }).usage()).toEqual({ count: 0, bytes: 0 });
  });

  test('new mail is announced once per commit', async () => {
    const bob = createIdentity().address;
    const mailbox = open();
    const announced: string[] = [];
    mailbox.onNewMail((recipient) => announced.push(recipient));

    await Promise.all([1, 2, 3].map(() => storeFor(mailbox, bob, Buffer.from('x'))));

    expect(announced).toEqual([bob]);
  });
});
