/**
 * Single-use challenges that clients sign to prove they own their address. Each challenge is
 * 24 random bytes in base64url, valid for 60 s and removed on its first use.
 *
 * The store keeps at most `maxOutstanding` challenges. When it is full, issuing a new one drops
 * the oldest outstanding challenge instead of failing. A flood of requests can then only
 * invalidate challenges that were fetched earlier and not used yet, and a client that signs
 * right after fetching is rarely affected. Responding with 503 instead would let the same flood
 * block every new login for a whole minute.
 */

import { randomBytes } from 'node:crypto';
import { toBase64Url } from '../src/core/bytes.ts';

export const CHALLENGE_BYTES = 24;
export const CHALLENGE_TTL_MS = 60_000;
export const MAX_OUTSTANDING_CHALLENGES = 10_000;

/** Outcome of consuming a challenge. */
export type ChallengeStatus = 'valid' | 'expired' | 'unknown';

/** Outstanding challenges of one relay. */
export interface ChallengeStore {
  /** Creates, stores and returns a new challenge. */
  issue(): string;

  /**
   * Removes a challenge and reports whether it was usable. A challenge that was never issued,
   * was already consumed or was dropped to make room is 'unknown'.
   */
  consume(challenge: string): ChallengeStatus;

  /** Number of challenges still stored, including expired ones not pruned yet. */
  readonly size: number;
}

/** Settings of a challenge store. Tests inject the clock and the cap. */
export interface ChallengeStoreOptions {
  ttlMs?: number;
  maxOutstanding?: number;
  now?: () => number;
}

/** Creates an empty challenge store. */
export function createChallengeStore(options: ChallengeStoreOptions = {}): ChallengeStore {
  const ttlMs = options.ttlMs ?? CHALLENGE_TTL_MS;
  const maxOutstanding = options.maxOutstanding ?? MAX_OUTSTANDING_CHALLENGES;
  const now = options.now ?? Date.now;

  // A Map iterates in insertion order, and every entry gets the same lifetime, so the first
  // entry is always the oldest and the first to expire.
  const expiresAtMsByChallenge = new Map<string, number>();

  const pruneExpired = (nowMs: number): void => {
    for (const [challenge, expiresAtMs] of expiresAtMsByChallenge) {
      if (expiresAtMs > nowMs) break;
      expiresAtMsByChallenge.delete(challenge);
    }
  };

  const dropOldest = (): void => {
    const oldest = expiresAtMsByChallenge.keys().next();
    if (!oldest.done) expiresAtMsByChallenge.delete(oldest.value);
  };

  return {
    issue() {
      const nowMs = now();

      pruneExpired(nowMs);
      while (expiresAtMsByChallenge.size >= maxOutstanding) dropOldest();

      const challenge = toBase64Url(randomBytes(CHALLENGE_BYTES));
      expiresAtMsByChallenge.set(challenge, nowMs + ttlMs);

      return challenge;
    },

    consume(challenge) {
      const expiresAtMs = expiresAtMsByChallenge.get(challenge);
      if (expiresAtMs === undefined) return 'unknown';

      expiresAtMsByChallenge.delete(challenge);

      return expiresAtMs > now() ? 'valid' : 'expired';
    },

    get size() {
      return expiresAtMsByChallenge.size;
    },
  };
}
