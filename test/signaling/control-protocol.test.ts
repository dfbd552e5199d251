import { describe, expect, test } from 'vitest';
import { toBase64Url } from '../../src/core/bytes.ts';
import {
  ControlMessageError,
  MAX_CONTROL_MESSAGE_BYTES,
  parseControlRequest,
  type ControlRejection,
} from '../../signaling/control-protocol.ts';
import { MailboxRequestError } from '../../signaling/mailbox-protocol.ts';
import { createIdentity } from './relay-client.ts';

function rejectionOf(text: string, maxWatchedAddresses?: number): ControlRejection | undefined {
  try {
    parseControlRequest(text, maxWatchedAddresses);
  } catch (error) {
    if (error instanceof ControlMessageError) return error.reason;
    throw error;
  }

  return undefined;
}

describe('control request parsing', () => {
  test('ping parses', () => {
    expect(parseControlRequest('{"type":"ping"}')).toEqual({ type: 'ping' });
  });

  test('watch removes duplicate addresses', () => {
    const alice = createIdentity().address;
    const bob = createIdentity().address;
    const request = parseControlRequest(JSON.stringify({ type: 'watch', addresses: [alice, bob, alice] }));

    expect(request).toEqual({ type: 'watch', addresses: [alice, bob] });
  });

  test('empty watch list is allowed', () => {
    expect(parseControlRequest('{"type":"watch","addresses":[]}')).toEqual({ type: 'watch', addresses: [] });
  });

  test('bad messages name their reason', () => {
    const address = createIdentity().address;
    const cases: [string, ControlRejection][] = [
      ['', 'invalid-json'],
      ['{"type":', 'invalid-json'],
      ['5', 'invalid-message'],
      ['null', 'invalid-message'],
      ['[]', 'invalid-message'],
      ['"ping"', 'invalid-message'],
      ['{"type":5}', 'invalid-message'],
      ['{}', 'invalid-message'],
      ['{"type":"pong"}', 'unknown-type'],
      ['{"type":"watch"}', 'invalid-watch-list'],
      ['{"type":"watch","addresses":"mt1"}', 'invalid-watch-list'],
      ['{"type":"watch","addresses":[42]}', 'invalid-watch-list'],
      [JSON.stringify({ type: 'watch', addresses: [address.toUpperCase()] }), 'invalid-watch-list'],
      ['{"type":"auth"}', 'invalid-auth'],
      [JSON.stringify({ type: 'auth', address: 'mt1nope', token: 'a.b' }), 'invalid-auth'],
      [JSON.stringify({ type: 'auth', address, token: 5 }), 'invalid-auth'],
      [JSON.stringify({ type: 'auth', address, token: 'x'.repeat(257) }), 'invalid-auth'],
      ['{"type":"mailbox-fetch"}', 'invalid-request-id'],
      ['{"type":"mailbox-fetch","requestId":""}', 'invalid-request-id'],
      ['{"type":"mailbox-fetch","requestId":7}', 'invalid-request-id'],
      [JSON.stringify({ type: 'mailbox-delete', requestId: 'r'.repeat(65), ids: ['a'] }), 'invalid-request-id'],
    ];

    for (const [text, reason] of cases) {
      expect(rejectionOf(text), text).toBe(reason);
    }
  });

  test('watch list over limit is rejected', () => {
    const address = createIdentity().address;
    const text = JSON.stringify({ type: 'watch', addresses: [address, address, address] });

    expect(rejectionOf(text, 2)).toBe('invalid-watch-list');
    expect(rejectionOf(text, 3)).toBeUndefined();
  });

  test('long unknown type is shortened in message', () => {
    expect(() => parseControlRequest(JSON.stringify({ type: 'x'.repeat(1000) }))).toThrow(/^unknown message type "x{40}";/);
  });
});

describe('mailbox request parsing', () => {
  const to = createIdentity().address;

  function mailboxRejectionOf(message: Record<string, unknown>): string | undefined {
    try {
      parseControlRequest(JSON.stringify({ requestId: 'r1', ...message }));
    } catch (error) {
      if (error instanceof MailboxRequestError) return `${error.requestId}:${error.reason}`;
      throw error;
    }

    return undefined;
  }

  test('put decodes envelope', () => {
    const request = parseControlRequest(JSON.stringify({ type: 'mailbox-put', requestId: 'r1', to, envelope: toBase64Url(Uint8Array.of(1, 2, 255)), ttlMs: 5 }));

    expect(request).toEqual({ type: 'mailbox-put', requestId: 'r1', to, envelope: Buffer.from([1, 2, 255]), ttlMs: 5 });
  });

  test('fetch limit defaults to 100', () => {
    expect(parseControlRequest('{"type":"mailbox-fetch","requestId":"r1"}')).toEqual({ type: 'mailbox-fetch', requestId: 'r1', limit: 100 });
  });

  test('delete removes duplicate ids', () => {
    const request = parseControlRequest('{"type":"mailbox-delete","requestId":"r1","ids":["a","b","a"]}');

    expect(request).toEqual({ type: 'mailbox-delete', requestId: 'r1', ids: ['a', 'b'] });
  });

  test('bad fields are reported with request id', () => {
    const cases: Record<string, unknown>[] = [
      { type: 'mailbox-put', to: 'mt1nope', envelope: 'AAAA' },
      { type: 'mailbox-put', to, envelope: 'AA=A' },
      { type: 'mailbox-put', to, envelope: 'A' },
      { type: 'mailbox-put', to, envelope: 42 },
      { type: 'mailbox-put', to, envelope: 'AAAA', ttlMs: null },
      { type: 'mailbox-fetch', limit: 1.5 },
      { type: 'mailbox-fetch', limit: '10' },
      { type: 'mailbox-delete', ids: 'abc' },
      { type: 'mailbox-delete', ids: Array.from({ length: 101 }, (_, index) => `id${index}`) },
      { type: 'mailbox-delete', ids: ['x'.repeat(65)] },
    ];

    for (const message of cases) expect(mailboxRejectionOf(message), JSON.stringify(message).slice(0, 80)).toBe('r1:invalid');
  });

  test('message cap fits a 64 KiB envelope', () => {
    const text = JSON.stringify({
      type: 'mailbox-put',
      requestId: 'r'.repeat(64),
      to,
      envelope: toBase64Url(new Uint8Array(64 * 1024)),
      ttlMs: 1_209_600_000,
    });

    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_CONTROL_MESSAGE_BYTES);
  });
});
