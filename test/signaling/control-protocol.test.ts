import { describe, expect, test } from 'vitest';
import { ControlMessageError, parseControlRequest, type ControlRejection } from '../../signaling/control-protocol.ts';
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
