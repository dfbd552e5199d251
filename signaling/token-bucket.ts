/**
 * Token bucket rate limits. A bucket holds up to `burst` tokens and refills at
 * `ratePerSecond`; each allowed event takes one token. A client that stays under the rate
 * never notices the limit, and one that sends a short burst is served up to `burst` events
 * at once.
 */

/** Rate and burst of one limit. */
export interface RateLimit {
  /** Tokens added per second, so the sustained rate of allowed events. */
  ratePerSecond: number;
  /** Bucket capacity, so the number of events allowed at once after a quiet period. */
  burst: number;
}

/** Mutable state of one bucket. Kept as a plain object so that a socket can own one cheaply. */
export interface TokenBucket {
  tokens: number;
  updatedAtMs: number;
}

/** Creates a full bucket. */
export function createTokenBucket(limit: RateLimit, nowMs: number): TokenBucket {
  return { tokens: limit.burst, updatedAtMs: nowMs };
}

/** Refills `bucket` for the time since its last update and takes one token if there is one. */
export function takeToken(bucket: TokenBucket, limit: RateLimit, nowMs: number): boolean {
  refill(bucket, limit, nowMs);
  if (bucket.tokens < 1) return false;

  bucket.tokens -= 1;

  return true;
}

function refill(bucket: TokenBucket, limit: RateLimit, nowMs: number): void {
  const elapsedMs = Math.max(0, nowMs - bucket.updatedAtMs);

  bucket.tokens = Math.min(limit.burst, bucket.tokens + (elapsedMs / 1000) * limit.ratePerSecond);
  bucket.updatedAtMs = nowMs;
}

/** Token buckets keyed by a string such as a client IP or an address. */
export interface KeyedRateLimiter {
  /** Takes a token from the bucket of `key`, creating a full bucket for a new key. */
  take(key: string): boolean;
  /** Drops the buckets that have refilled completely, since a new bucket would be the same. */
  prune(): void;
  /** Number of buckets kept. */
  readonly size: number;
}

/** Settings of a keyed limiter. Tests inject the clock. */
export interface KeyedRateLimiterOptions {
  limit: RateLimit;
  /**
   * Maximum number of buckets. When a new key arrives at the cap, full buckets are pruned
   * first and then the oldest bucket is dropped, which discards that key's recent usage.
   */
  maxKeys: number;
  now?: () => number;
}

/** Creates a keyed limiter. Call `prune` now and then so that idle keys do not pile up. */
export function createKeyedRateLimiter(options: KeyedRateLimiterOptions): KeyedRateLimiter {
  const { limit, maxKeys } = options;
  const now = options.now ?? Date.now;
  const bucketsByKey = new Map<string, TokenBucket>();

  const prune = (): void => {
    const nowMs = now();

    for (const [key, bucket] of bucketsByKey) {
      refill(bucket, limit, nowMs);
      if (bucket.tokens >= limit.burst) bucketsByKey.delete(key);
    }
  };

  const makeRoom = (): void => {
    prune();
    if (bucketsByKey.size < maxKeys) return;

    const oldest = bucketsByKey.keys().next();
    if (!oldest.done) bucketsByKey.delete(oldest.value);
  };

  return {
    take(key) {
      const nowMs = now();
      let bucket = bucketsByKey.get(key);

      if (bucket === undefined) {
        if (bucketsByKey.size >= maxKeys) makeRoom();
        bucket = createTokenBucket(limit, nowMs);
        bucketsByKey.set(key, bucket);
      }

      return takeToken(bucket, limit, nowMs);
    },

    prune,

    get size() {
      return bucketsByKey.size;
    },
  };
}

/**
 * Returns the key that per-IP limits use for a socket's remote address: IPv4 as is (also when
 * written as an IPv4-mapped IPv6 address), IPv6 cut to its /64 prefix, because a single
 * host usually controls a whole /64.
 */
export function clientKeyOf(remoteAddress: string | undefined): string {
  if (remoteAddress === undefined || remoteAddress === '') return 'unknown';

  const mappedIpv4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remoteAddress);
  if (mappedIpv4?.[1] !== undefined) return mappedIpv4[1];
  if (!remoteAddress.includes(':')) return remoteAddress;

  return `${expandIpv6(remoteAddress).slice(0, 4).join(':')}::/64`;
}

function expandIpv6(address: string): string[] {
  const withoutZone = address.split('%')[0] ?? address;
  const [head = '', tail] = withoutZone.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeroGroups = Array.from({ length: Math.max(0, 8 - headGroups.length - tailGroups.length) }, () => '0');

  return [...headGroups, ...zeroGroups, ...tailGroups].map((group) => group.toLowerCase().replace(/^0+(?=.)/, ''));
}
