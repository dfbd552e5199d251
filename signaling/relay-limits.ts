/**
 * Limits that protect the relay and its mailbox, with their defaults and validation. Each
 * one can be set from the command line or the environment (settings.ts).
 */

import { MAX_ENVELOPE_BYTES, DEFAULT_ENVELOPE_TTL_MS } from '../src/core/crypto/envelope.ts';
import type { RateLimit } from './token-bucket.ts';

/** Limits of one relay instance. Rates are per second; sizes are in bytes. */
export interface RelayLimits {
  /** Maximum number of open control sockets. Defaults to the peer limit (`concurrentLimit`). */
  maxControlSockets: number;
  /** Maximum decoded size of one stored envelope; at most 64 KiB, the envelope format's cap. */
  maxEnvelopeBytes: number;
  /** Maximum number of envelopes waiting for one recipient. */
  mailboxMaxEnvelopes: number;
  /** Maximum total decoded size of the envelopes waiting for one recipient. */
  mailboxMaxBytes: number;
  /** Maximum time to live of a stored envelope, also the default when a store gives none. */
  mailboxMaxTtlMs: number;
  /** Maximum number of stores waiting for their transaction; more are rejected as rate-limited. */
  maxPendingStores: number;
  /** Messages per control socket. */
  controlMessages: RateLimit;
  /** Messages per PeerJS socket, heartbeats included. */
  peerMessages: RateLimit;
  /** Mailbox stores per sender address, over all of its control sockets. */
  mailboxPuts: RateLimit;
  /** GET /relay/challenge requests per client IP address (per /64 for IPv6). */
  challenges: RateLimit;
  /**
   * Maximum bytes queued for sending on one socket. A client that stops reading while the
   * relay has more than this queued for it is disconnected.
   */
  maxBufferedBytes: number;
}

export const DEFAULT_CONCURRENT_LIMIT = 5_000;

/** Default limits. `maxControlSockets` is filled in from the peer limit. */
export const DEFAULT_LIMITS: Omit<RelayLimits, 'maxControlSockets'> = {
  maxEnvelopeBytes: MAX_ENVELOPE_BYTES,
  mailboxMaxEnvelopes: 2_000,
  mailboxMaxBytes: 32 * 1024 * 1024,
  mailboxMaxTtlMs: DEFAULT_ENVELOPE_TTL_MS,
  maxPendingStores: 1_000,
  controlMessages: { ratePerSecond: 20, burst: 200 },
  // Opening links to many contacts at once sends an OFFER and a dozen CANDIDATE messages each.
  peerMessages: { ratePerSecond: 100, burst: 500 },
  mailboxPuts: { ratePerSecond: 10, burst: 200 },
  challenges: { ratePerSecond: 10, burst: 120 },
  maxBufferedBytes: 16 * 1024 * 1024,
};

/**
 * Fills in defaults and checks every limit.
 * @throws RangeError naming the first limit out of range.
 */
export function resolveLimits(overrides: Partial<RelayLimits>, concurrentLimit: number): RelayLimits {
  const limits: RelayLimits = { ...DEFAULT_LIMITS, maxControlSockets: concurrentLimit, ...withoutUndefined(overrides) };

  for (const name of ['maxControlSockets', 'mailboxMaxEnvelopes', 'maxPendingStores'] as const) {
    requirePositiveInteger(limits[name], name);
  }
  for (const name of ['mailboxMaxBytes', 'maxBufferedBytes', 'mailboxMaxTtlMs'] as const) {
    requirePositiveInteger(limits[name], name);
  }

  requirePositiveInteger(limits.maxEnvelopeBytes, 'maxEnvelopeBytes');
  if (limits.maxEnvelopeBytes > MAX_ENVELOPE_BYTES) {
    throw new RangeError(`invalid maxEnvelopeBytes ${limits.maxEnvelopeBytes}: expected at most ${MAX_ENVELOPE_BYTES}, the envelope format's maximum`);
  }

  for (const name of ['controlMessages', 'peerMessages', 'mailboxPuts', 'challenges'] as const) {
    requireRateLimit(limits[name], name);
  }

  return limits;
}

function withoutUndefined(overrides: Partial<RelayLimits>): Partial<RelayLimits> {
  return Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined)) as Partial<RelayLimits>;
}

function requirePositiveInteger(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`invalid ${name} ${String(value)}: expected a positive integer`);
  }
}

function requireRateLimit(limit: RateLimit, name: string): void {
  const isRateValid = typeof limit.ratePerSecond === 'number' && limit.ratePerSecond > 0 && !Number.isNaN(limit.ratePerSecond);
  if (!isRateValid) {
    throw new RangeError(`invalid ${name}.ratePerSecond ${String(limit.ratePerSecond)}: expected a number above 0`);
  }

  if (typeof limit.burst !== 'number' || !(limit.burst >= 1)) {
    throw new RangeError(`invalid ${name}.burst ${String(limit.burst)}: expected a number of at least 1`);
  }
}
