import { describe, expect, test } from 'vitest';
import { clientKeyOf, createKeyedRateLimiter, createTokenBucket, takeToken } from '../../signaling/token-bucket.ts';

describe('token bucket', () => {
  test('burst then refill at rate', () => {
    const limit = { ratePerSecond: 2, burst: 3 };
    const bucket = createTokenBucket(limit, 0);
    const takes = [0, 0, 0, 0].map(() => takeToken(bucket, limit, 0));

    expect(takes).toEqual([true, true, true, false]);
    expect(takeToken(bucket, limit, 400)).toBe(false);
    expect(takeToken(bucket, limit, 500)).toBe(true);
    expect(takeToken(bucket, limit, 500)).toBe(false);
  });

  test('refill stops at burst', () => {
    const limit = { ratePerSecond: 10, burst: 2 };
    const bucket = createTokenBucket(limit, 0);

    takeToken(bucket, limit, 0);
    const afterLongPause = [0, 0, 0].map(() => takeToken(bucket, limit, 60_000));

    expect(afterLongPause).toEqual([true, true, false]);
  });

  test('clock going back takes nothing extra', () => {
    const limit = { ratePerSecond: 1, burst: 1 };
    const bucket = createTokenBucket(limit, 10_000);

    expect(takeToken(bucket, limit, 10_000)).toBe(true);
    expect(takeToken(bucket, limit, 5_000)).toBe(false);
  });
});

describe('keyed rate limiter', () => {
  test('keys have separate buckets', () => {
    const limiter = createKeyedRateLimiter({ limit: { ratePerSecond: 1, burst: 1 }, maxKeys: 10, now: () => 0 });

    expect(limiter.take('a')).toBe(true);
    expect(limiter.take('a')).toBe(false);
    expect(limiter.take('b')).toBe(true);
  });

  test('prune drops refilled buckets only', () => {
    let nowMs = 0;
    const limiter = createKeyedRateLimiter({ limit: { ratePerSecond: 1, burst: 2 }, maxKeys: 10, now: () => nowMs });

    limiter.take('a');
    limiter.take('a');
    nowMs = 1_000;
    limiter.take('b');
    limiter.prune();
    expect(limiter.size).toBe(2);

    nowMs = 3_000;
    limiter.prune();
    expect(limiter.size).toBe(0);
  });

  test('key count stays at the cap', () => {
    const limiter = createKeyedRateLimiter({ limit: { ratePerSecond: 0.001, burst: 1 }, maxKeys: 3, now: () => 0 });

    for (const key of ['a', 'b', 'c', 'd', 'e']) limiter.take(key);

    expect(limiter.size).toBe(3);
  });
});

describe('client key of remote address', () => {
  test('addresses map to their keys', () => {
    const cases: [string | undefined, string][] = [
      ['192.0.2.7', '192.0.2.7'],
      ['::ffff:192.0.2.7', '192.0.2.7'],
      ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
      ['2001:db8:1:2::9', '2001:db8:1:2::/64'],
      ['2001:DB8:0001:0002:aaaa::1', '2001:db8:1:2::/64'],
      ['::1', '0:0:0:0::/64'],
      ['fe80::1%eth0', 'fe80:0:0:0::/64'],
      [undefined, 'unknown'],
    ];

    for (const [address, key] of cases) expect(clientKeyOf(address), String(address)).toBe(key);
  });
});
