/**
 * Cost of Meshtext's cryptography in Node, on tweetnacl as the app uses it, each figure beside
 * the bare tweetnacl primitive measured in the same run:
 *
 *   - a session seal and open per 200-byte payload after a real handshake, beside
 *     `nacl.secretbox` and `nacl.secretbox.open` with a fixed key and a nonce counter;
 *   - the three-message handshake on both sides, beside the twelve X25519 operations it
 *     contains. The first-contact case also verifies the initiator's card, so its baseline adds
 *     one Ed25519 verification;
 *   - a sealed envelope sealed and opened, beside `nacl.box` and `nacl.box.open`;
 *   - one Ed25519 signature and one verification, beside a session seal and open, which shows
 *     what signing every message would cost.
 *
 * Rates are the median of several rounds, so one round slowed down by other work on the machine
 * does not decide the figure. Node runs these on one core.
 */

import nacl from 'tweetnacl';
import { answerHandshake, completeHandshake, finishHandshake, startHandshake } from '../../src/core/crypto/handshake.ts';
import { openEnvelope, sealEnvelope, DEFAULT_ENVELOPE_TTL_MS } from '../../src/core/crypto/envelope.ts';
import type { Session } from '../../src/core/crypto/session.ts';
import { makeUser, randomBytes, type TestUser } from '../core/helpers.ts';
import { round, type Benchmark, type Metric } from './metric.ts';

const payloadBytes = 200;
const sessionRounds = 5;
const sessionMessagesPerRound = 10_000;
const handshakeRuns = 200;
/** X25519 operations in one handshake: 2 ephemeral key pairs and 10 Diffie-Hellman steps. */
const handshakeScalarMults = 12;
const envelopeRounds = 5;
const envelopesPerRound = 100;
const signatureRuns = 200;
const sessionGoalPerSecond = 50_000;

/** Runs `operation` `count` times per round and returns the median rate in operations per second. */
function medianRate(rounds: number, count: number, operation: (index: number) => void): number {
  const rates: number[] = [];

  for (let roundIndex = 0; roundIndex < rounds; roundIndex++) {
    const startedAt = performance.now();
    for (let index = 0; index < count; index++) operation(index);
    rates.push((count * 1000) / (performance.now() - startedAt));
  }

  return median(rates);
}

/** Times `operation` once per run and returns the median in milliseconds. */
function medianDurationMs(runs: number, operation: () => void): number {
  const durations: number[] = [];

  for (let run = 0; run < runs; run++) {
    const startedAt = performance.now();
    operation();
    durations.push(performance.now() - startedAt);
  }

  return median(durations);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);

  return sorted.length % 2 === 1 ? (sorted[middle] ?? NaN) : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
}

function contextOf(user: TestUser) {
  return { identity: user.identity, ownCard: user.card.wire, randomBytes };
}

/** Runs all three handshake messages on both sides. Passing `isKnownContact` skips the card check. */
function handshake(alice: TestUser, bob: TestUser, isKnownContact: boolean): { aliceSession: Session; bobSession: Session } {
  const { state, hello } = startHandshake(contextOf(alice), bob.identity.address, bob.identity.boxPublicKey);
  const answer = answerHandshake(contextOf(bob), hello, alice.identity.address, isKnownContact ? alice.card : undefined);
  const { session: aliceSession, finish } = completeHandshake(state, answer.reply);
  const bobSession = finishHandshake(answer.state, finish);

  return { aliceSession, bobSession };
}

/** Session seal and open, and the bare secretbox pair, in messages per second. */
function measureSessions(alice: TestUser, bob: TestUser): { session: number; secretbox: number } {
  const payload = nacl.randomBytes(payloadBytes);
  const { aliceSession, bobSession } = handshake(alice, bob, true);
  const session = medianRate(sessionRounds, sessionMessagesPerRound, () => {
    bobSession.open(aliceSession.seal(payload));
  });

  const key = nacl.randomBytes(nacl.secretbox.keyLength);
  const nonce = new Uint8Array(nacl.secretbox.nonceLength);
  const nonceView = new DataView(nonce.buffer);
  let counter = 0n;
  const secretbox = medianRate(sessionRounds, sessionMessagesPerRound, () => {
    nonceView.setBigUint64(0, counter++);
    const opened = nacl.secretbox.open(nacl.secretbox(payload, nonce, key), nonce, key);
    if (opened === null) throw new Error('secretbox baseline failed to open its own box');
  });

  return { session, secretbox };
}

/** Sealed envelope seal and open, and the bare box pair, in pairs per second. */
function measureEnvelopes(alice: TestUser, bob: TestUser): { envelope: number; box: number } {
  const payload = nacl.randomBytes(payloadBytes);
  const now = Date.now();
  const knownCard = (address: string) => (address === alice.card.address ? alice.card : undefined);
  const envelope = medianRate(envelopeRounds, envelopesPerRound, (index) => {
    const contents = { id: `bench-${index}`, instance: alice.identity.instanceId, seq: index, createdAt: now, ttlMs: DEFAULT_ENVELOPE_TTL_MS, payload };
    openEnvelope(bob.identity, sealEnvelope(alice.identity, alice.card.wire, bob.identity.boxPublicKey, contents, randomBytes), now, knownCard);
  });

  const box = medianRate(envelopeRounds, envelopesPerRound, () => {
    const nonce = nacl.randomBytes(nacl.box.nonceLength);
    const sealed = nacl.box(payload, nonce, bob.identity.boxPublicKey, alice.identity.boxSecretKey);
    if (nacl.box.open(sealed, nonce, alice.identity.boxPublicKey, bob.identity.boxSecretKey) === null) {
      throw new Error('box baseline failed to open its own box');
    }
  });

  return { envelope, box };
}

export const cryptoPrimitives: Benchmark = {
  name: 'crypto',
  run: async () => {
    const alice = makeUser('Alice');
    const bob = makeUser('Bob');
    const payload = nacl.randomBytes(payloadBytes);

    const sessions = measureSessions(alice, bob);
    const sessionMessageUs = 1_000_000 / sessions.session;

    const knownHandshakeMs = medianDurationMs(handshakeRuns, () => handshake(alice, bob, true));
    const firstHandshakeMs = medianDurationMs(handshakeRuns, () => handshake(alice, bob, false));
    const scalarMultMs = medianDurationMs(handshakeRuns, () => {
      for (let step = 0; step < handshakeScalarMults; step++) nacl.scalarMult(alice.identity.boxSecretKey, bob.identity.boxPublicKey);
    });

    const signature = nacl.sign.detached(payload, alice.identity.signingSecretKey);
    const signMs = medianDurationMs(signatureRuns, () => nacl.sign.detached(payload, alice.identity.signingSecretKey));
    const verifyMs = medianDurationMs(signatureRuns, () => {
      if (!nacl.sign.detached.verify(payload, signature, alice.identity.signingPublicKey)) throw new Error('signature baseline did not verify');
    });

    const envelopes = measureEnvelopes(alice, bob);

    const metric = (name: string, value: number | null, unit: string, baseline: number | null, goal: string | null = null): Metric => ({
      name,
      value,
      unit,
      baseline,
      goal,
    });

    return [
      metric(`Session seal + open (${payloadBytes} B)`, round(sessions.session, 0), 'msg/s', round(sessions.secretbox, 0), `≥ ${sessionGoalPerSecond}`),
      metric('handshake, known contact (both sides)', round(knownHandshakeMs, 2), 'ms', round(scalarMultMs, 2)),
      metric('handshake, first contact (card verified)', round(firstHandshakeMs, 2), 'ms', round(scalarMultMs + verifyMs, 2)),
      metric(`sealed envelope seal + open (${payloadBytes} B)`, round(envelopes.envelope, 0), 'env/s', round(envelopes.box, 0)),
      metric(`Ed25519 sign (${payloadBytes} B)`, round(signMs * 1000, 0), 'µs/op', round(sessionMessageUs, 1)),
      metric(`Ed25519 verify (${payloadBytes} B)`, round(verifyMs * 1000, 0), 'µs/op', round(sessionMessageUs, 1)),
    ];
  },
};
