import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { answerHandshake, completeHandshake, finishHandshake, sessionKeyIds, startHandshake } from '../../../src/core/crypto/handshake.ts';
import type { Session } from '../../../src/core/crypto/session.ts';
import { makeUser, randomBytes } from '../helpers.ts';
import type { TestUser } from '../helpers.ts';

const TOTAL_SEALS = 1_000_000;
const RUNS = 10;
const SEALS_PER_RUN = TOTAL_SEALS / RUNS;
const COUNTER_OFFSET = 2;

interface SessionPlan {
  aliceDials: boolean;
  aliceWeight: number;
  bobWeight: number;
}

interface SessionPair {
  alice: Session;
  bob: Session;
}

function contextOf(user: TestUser) {
  return { identity: user.identity, ownCard: user.card.wire, randomBytes };
}

/** Runs a full handshake, dialled by `caller`, and returns each side's session. */
function handshake(caller: TestUser, callee: TestUser): { callerSession: Session; calleeSession: Session } {
  const { state, hello } = startHandshake(contextOf(caller), callee.identity.address, callee.identity.boxPublicKey);
  const answer = answerHandshake(contextOf(callee), hello, caller.identity.address, undefined);
  const { session, finish } = completeHandshake(state, answer.reply);

  return { callerSession: session, calleeSession: finishHandshake(answer.state, finish) };
}

function connect(alice: TestUser, bob: TestUser, aliceDials: boolean): SessionPair {
  if (aliceDials) {
    const { callerSession, calleeSession } = handshake(alice, bob);
    return { alice: callerSession, bob: calleeSession };
  }

  const { callerSession, calleeSession } = handshake(bob, alice);
  return { alice: calleeSession, bob: callerSession };
}

/** Splits `total` seals over the plans by weight, so each run seals exactly `total` frames. */
function sealCounts(plans: SessionPlan[], total: number): [number, number][] {
  const weights = plans.flatMap((plan) => [plan.aliceWeight + 1, plan.bobWeight + 1]);
  const weightSum = weights.reduce((sum, weight) => sum + weight, 0);
  const counts = weights.map((weight) => Math.floor((total * weight) / weightSum));
  counts[counts.length - 1] = (counts.at(-1) ?? 0) + total - counts.reduce((sum, count) => sum + count, 0);

  return plans.map((_, index) => [counts[2 * index] ?? 0, counts[2 * index + 1] ?? 0]);
}

function keyIdsOf(session: Session): { send: string; receive: string } {
  const ids = sessionKeyIds(session);
  if (!ids) throw new Error('session has no key ids');

  return ids;
}

const sessionPlan = fc.record({
  aliceDials: fc.boolean(),
  aliceWeight: fc.integer({ min: 0, max: 100 }),
  bobWeight: fc.integer({ min: 0, max: 100 }),
});

describe('session nonces', () => {
  it('never repeat a key and nonce pair', () => {
    const alice = makeUser('Alice');
    const bob = makeUser('Bob');
    const seenKeyIds = new Set<string>();
    const payload = Uint8Array.of(0x6d);
    let totalSeals = 0;
    let totalSessions = 0;

    /** Seals `count` frames, checks the peer opens each one, and records (key, nonce) pairs. */
    const sealAll = (from: Session, to: Session, count: number, seenPairs: Set<string>): boolean => {
      const keyId = keyIdsOf(from).send;

      for (let i = 0; i < count; i++) {
        const frame = from.seal(payload);
        const nonce = new DataView(frame.buffer, frame.byteOffset + COUNTER_OFFSET, 8).getBigUint64(0);
        const pair = `${keyId}:${nonce}`;
        if (seenPairs.has(pair)) return false;

        seenPairs.add(pair);
        to.open(frame);
      }
      totalSeals += count;

      return true;
    };

    fc.assert(
      fc.property(fc.array(sessionPlan, { minLength: 5, maxLength: 40 }), (plans) => {
        const seenPairs = new Set<string>();
        const counts = sealCounts(plans, SEALS_PER_RUN);

        return plans.every((plan, index) => {
          const sessions = connect(alice, bob, plan.aliceDials);
          const aliceIds = keyIdsOf(sessions.alice);
          const bobIds = keyIdsOf(sessions.bob);
          totalSessions++;

          // Each direction has its own key, shared by exactly the two ends, and no earlier session had it.
          if (aliceIds.send !== bobIds.receive || bobIds.send !== aliceIds.receive || aliceIds.send === aliceIds.receive) return false;
          if (seenKeyIds.has(aliceIds.send) || seenKeyIds.has(bobIds.send)) return false;
          seenKeyIds.add(aliceIds.send).add(bobIds.send);

          const [aliceSeals, bobSeals] = counts[index] ?? [0, 0];
          return sealAll(sessions.alice, sessions.bob, aliceSeals, seenPairs) && sealAll(sessions.bob, sessions.alice, bobSeals, seenPairs);
        });
      }),
      { numRuns: RUNS },
    );

    expect(totalSeals).toBe(TOTAL_SEALS);
    expect(seenKeyIds.size).toBe(2 * totalSessions);
  }, 180_000);

  it('seal budget splits exactly', () => {
    const plans = [
      { aliceDials: true, aliceWeight: 0, bobWeight: 100 },
      { aliceDials: false, aliceWeight: 7, bobWeight: 3 },
    ];
    const counts = sealCounts(plans, SEALS_PER_RUN);

    expect(counts.flat().reduce((sum, count) => sum + count, 0)).toBe(SEALS_PER_RUN);
    expect(counts.flat().every((count) => count > 0)).toBe(true);
  });
});
