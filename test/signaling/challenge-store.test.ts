import { describe, expect, test } from 'vitest';
import { CHALLENGE_TTL_MS, createChallengeStore } from '../../signaling/challenge-store.ts';

function createClock(startMs = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let nowMs = startMs;

  return { now: () => nowMs, advance: (ms) => (nowMs += ms) };
}

describe('challenge store', () => {
  test('challenge is 24 bytes of base64url', () => {
    const challenge = createChallengeStore().issue();

    expect(challenge).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  test('challenge is valid once', () => {
    const store = createChallengeStore();
    const challenge = store.issue();

    expect(store.consume(challenge)).toBe('valid');
    expect(store.consume(challenge)).toBe('unknown');
  });

  test('never issued challenge is unknown', () => {
    expect(createChallengeStore().consume('bm90LWlzc3VlZA')).toBe('unknown');
  });

  test('challenge expires after ttl', () => {
    const clock = createClock();
    const store = createChallengeStore({ now: clock.now });
    const fresh = store.issue();
    const stale = store.issue();

    clock.advance(CHALLENGE_TTL_MS - 1);
    expect(store.consume(fresh)).toBe('valid');

    clock.advance(1);
    expect(store.consume(stale)).toBe('expired');
    expect(store.size).toBe(0);
  });

  test('issuing prunes expired challenges', () => {
    const clock = createClock();
    const store = createChallengeStore({ now: clock.now });

    store.issue();
    store.issue();
    clock.advance(CHALLENGE_TTL_MS);
    store.issue();

    expect(store.size).toBe(1);
  });

  test('full store drops oldest challenge', () => {
    const store = createChallengeStore({ maxOutstanding: 3 });
    const [oldest, second, third, newest] = [store.issue(), store.issue(), store.issue(), store.issue()];

    expect(store.size).toBe(3);
    expect(store.consume(oldest)).toBe('unknown');
    expect(store.consume(second)).toBe('valid');
    expect(store.consume(third)).toBe('valid');
    expect(store.consume(newest)).toBe('valid');
  });
});
