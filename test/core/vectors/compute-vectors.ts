/**
 * Computes the protocol v1 known-answer vectors from fixed seeds: two identities and Alice's
 * card, her invite link, an envelope from Alice to Bob, a full handshake with one data frame
 * each way, and their safety number. `generate.ts` writes the result to protocol-v1.json, and
 * the known-answer test recomputes it and compares. Inputs that the code draws at random
 * (key seeds, ephemeral keys) are listed too, so another implementation can redo each step.
 */

import { utf8 } from '../../../src/core/bytes.ts';
import type { WireCard } from '../../../src/core/card.ts';
import { signCard } from '../../../src/core/card.ts';
import { sealEnvelope } from '../../../src/core/crypto/envelope.ts';
import { answerHandshake, completeHandshake, finishHandshake, sessionKeyIds, startHandshake } from '../../../src/core/crypto/handshake.ts';
import type { SessionKeyIds } from '../../../src/core/crypto/handshake.ts';
import { createIdentity } from '../../../src/core/identity.ts';
import type { Identity } from '../../../src/core/identity.ts';
import { createInviteLink } from '../../../src/core/invite.ts';
import { safetyNumber } from '../../../src/core/safety-number.ts';
import { seededRandom } from './seeded-random.ts';

export interface IdentityVector {
  seed: string;
  name: string;
  createdAt: number;
  /** First 32 bytes drawn: the Ed25519 seed. */
  signingSeed: string;
  signingPublicKey: string;
  /** Second 32 bytes drawn: the X25519 secret key. */
  boxSecretKey: string;
  boxPublicKey: string;
  instanceId: string;
  address: string;
}

export interface KnownAnswerVectors {
  description: string;
  alice: IdentityVector;
  bob: IdentityVector;
  aliceCard: WireCard;
  invite: { appUrl: string; relays: string[]; link: string };
  envelope: {
    seed: string;
    ephemeralSecretKey: string;
    id: string;
    instance: string;
    seq: number;
    createdAt: number;
    ttlMs: number;
    payloadText: string;
    sealed: string;
  };
  handshake: {
    initiatorSeed: string;
    responderSeed: string;
    initiatorEphemeralSecretKey: string;
    responderEphemeralSecretKey: string;
    hello: string;
    reply: string;
    finish: string;
    transcriptHash: string;
    initiatorKeyIds: SessionKeyIds;
    responderKeyIds: SessionKeyIds;
    initiatorToResponder: { text: string; frame: string };
    responderToInitiator: { text: string; frame: string };
  };
  safetyNumber: string;
}

const CREATED_AT = 1_700_000_000_000;

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

function identityVector(seed: string, name: string): { identity: Identity; vector: IdentityVector } {
  const random = seededRandom(seed);
  const identity = createIdentity(name, random, CREATED_AT);
  const [signingSeed, boxSecretKey] = random.draws;
  if (!signingSeed || !boxSecretKey) throw new Error('createIdentity drew fewer keys than expected');

  return {
    identity,
    vector: {
      seed,
      name,
      createdAt: CREATED_AT,
      signingSeed: toHex(signingSeed),
      signingPublicKey: toHex(identity.signingPublicKey),
      boxSecretKey: toHex(boxSecretKey),
      boxPublicKey: toHex(identity.boxPublicKey),
      instanceId: identity.instanceId,
      address: identity.address,
    },
  };
}

function firstDraw(draws: Uint8Array[], step: string): string {
  const draw = draws[0];
  if (!draw) throw new Error(`${step} drew no random bytes`);

  return toHex(draw);
}

/** Computes every vector; the same code and seeds always give the same result. */
export function computeVectors(): KnownAnswerVectors {
  const alice = identityVector('alice', 'Alice');
  const bob = identityVector('bob', 'Bob');
  const aliceCard = signCard(alice.identity);
  const bobCard = signCard(bob.identity);

  const appUrl = 'https://meshtext.example/app/';
  const relays = ['https://relay.example/'];
  const link = createInviteLink(appUrl, aliceCard, alice.identity.address, relays);

  const envelopeRandom = seededRandom('envelope');
  const contents = {
    id: 'vector-envelope-1',
    instance: alice.identity.instanceId,
    seq: 1,
    createdAt: CREATED_AT + 60_000,
    ttlMs: 86_400_000,
    payload: utf8('known answer payload'),
  };
  const sealed = sealEnvelope(alice.identity, aliceCard, bob.identity.boxPublicKey, contents, envelopeRandom);

  const initiatorRandom = seededRandom('handshake initiator');
  const responderRandom = seededRandom('handshake responder');
  const { state, hello } = startHandshake(
    { identity: alice.identity, ownCard: aliceCard, randomBytes: initiatorRandom },
    bob.identity.address,
    bob.identity.boxPublicKey,
  );
  const answer = answerHandshake(
    { identity: bob.identity, ownCard: bobCard, randomBytes: responderRandom },
    hello,
    alice.identity.address,
    undefined,
  );
  const { session: aliceSession, finish } = completeHandshake(state, answer.reply);
  const bobSession = finishHandshake(answer.state, finish);
  const initiatorKeyIds = sessionKeyIds(aliceSession);
  const responderKeyIds = sessionKeyIds(bobSession);
  if (!initiatorKeyIds || !responderKeyIds) throw new Error('handshake sessions have no key ids');

  return {
    description:
      'Meshtext protocol v1 known-answer vectors. Byte strings are hex; random inputs come from test/core/vectors/seeded-random.ts.',
    alice: alice.vector,
    bob: bob.vector,
    aliceCard,
    invite: { appUrl, relays, link },
    envelope: {
      seed: 'envelope',
      ephemeralSecretKey: firstDraw(envelopeRandom.draws, 'sealEnvelope'),
      id: contents.id,
      instance: contents.instance,
      seq: contents.seq,
      createdAt: contents.createdAt,
      ttlMs: contents.ttlMs,
      payloadText: 'known answer payload',
      sealed: toHex(sealed),
    },
    handshake: {
      initiatorSeed: 'handshake initiator',
      responderSeed: 'handshake responder',
      initiatorEphemeralSecretKey: firstDraw(initiatorRandom.draws, 'startHandshake'),
      responderEphemeralSecretKey: firstDraw(responderRandom.draws, 'answerHandshake'),
      hello: toHex(hello),
      reply: toHex(answer.reply),
      finish: toHex(finish),
      transcriptHash: toHex(aliceSession.transcriptHash),
      initiatorKeyIds,
      responderKeyIds,
      initiatorToResponder: { text: 'hello bob', frame: toHex(aliceSession.seal(utf8('hello bob'))) },
      responderToInitiator: { text: 'hello alice', frame: toHex(bobSession.seal(utf8('hello alice'))) },
    },
    safetyNumber: safetyNumber(alice.identity.signingPublicKey, bob.identity.signingPublicKey),
  };
}
