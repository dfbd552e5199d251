import { describe, expect, it } from 'vitest';
import { utf8, fromUtf8 } from '../../../src/core/bytes.ts';
import { DecryptError, FrameError, HandshakeError } from '../../../src/core/errors.ts';
import { MAX_FRAME_BYTES } from '../../../src/core/crypto/frame-codec.ts';
import {
  answerHandshake,
  completeHandshake,
  finishHandshake,
  startHandshake,
} from '../../../src/core/crypto/handshake.ts';
import type { Session } from '../../../src/core/crypto/session.ts';
import { makeUser, randomBytes } from '../helpers.ts';
import type { TestUser } from '../helpers.ts';

function contextOf(user: TestUser) {
  return { identity: user.identity, ownCard: user.card.wire, randomBytes };
}

function handshake(alice: TestUser, bob: TestUser): { aliceSession: Session; bobSession: Session } {
  const { state, hello } = startHandshake(contextOf(alice), bob.identity.address, bob.identity.boxPublicKey);
  const answer = answerHandshake(contextOf(bob), hello, alice.identity.address, undefined);
  const { session: aliceSession, finish } = completeHandshake(state, answer.reply);
  const bobSession = finishHandshake(answer.state, finish);

  return { aliceSession, bobSession };
}

describe('session handshake', () => {
  it('gives both ends matching sessions in both directions', () => {
    const alice = makeUser('Alice');
    const bob = makeUser('Bob');
    const { aliceSession, bobSession } = handshake(alice, bob);

    expect(aliceSession.transcriptHash).toEqual(bobSession.transcriptHash);
    expect(fromUtf8(bobSession.open(aliceSession.seal(utf8('hello bob'))))).toBe('hello bob');
    expect(fromUtf8(aliceSession.open(bobSession.seal(utf8('hello alice'))))).toBe('hello alice');
  });

  it('tells the responder who dialled through the card in hello', () => {
    const alice = makeUser('Alice');
    const bob = makeUser('Bob');
    const { hello } = startHandshake(contextOf(alice), bob.identity.address, bob.identity.boxPublicKey);
    const { state } = answerHandshake(contextOf(bob), hello, alice.identity.address, undefined);

    expect(state.remoteCard.address).toBe(alice.identity.address);
    expect(state.remoteCard.displayName).toBe('Alice');
  });

  it('rejects a responder that holds another key than the contact', () => {
    const alice = makeUser('Alice');
    const bob = makeUser('Bob');
    const mallory = makeUser('Mallory');
    const { state, hello } = startHandshake(contextOf(alice), bob.identity.address, bob.identity.boxPublicKey);

    // Mallory answers at Bob's address but cannot open a hello sealed to Bob's key.
    expect(() => answerHandshake(contextOf(mallory), hello, alice.identity.address, undefined)).toThrow(HandshakeError);

    // Nor can a reply built from her own keys pass Alice's check.
    const forged = startHandshake(contextOf(alice), mallory.identity.address, mallory.identity.boxPublicKey);
    const malloryAnswer = answerHandshake(contextOf(mallory), forged.hello, alice.identity.address, undefined);
    expect(() => completeHandshake(state, malloryAnswer.reply)).toThrow(HandshakeError);
  });

  it('rejects an initiator whose card belongs to another address', () => {
    const alice = makeUser('Alice');
    const bob = makeUser('Bob');
    const mallory = makeUser('Mallory');
    const { hello } = startHandshake(contextOf(mallory), bob.identity.address, bob.identity.boxPublicKey);

    expect(() => answerHandshake(contextOf(bob), hello, alice.identity.address, undefined)).toThrow(HandshakeError);
  });

  it('rejects an initiator replaying someone else\'s card without their key', () => {
    const alice = makeUser('Alice');
    const bob = makeUser('Bob');
    const mallory = makeUser('Mallory');
    // Mallory sends Alice's public card but holds only her own box secret.
    const impostor = { identity: { ...mallory.identity, address: alice.identity.address }, card: alice.card };
    const { state, hello } = startHandshake(contextOf(impostor), bob.identity.address, bob.identity.boxPublicKey);
    const answer = answerHandshake(contextOf(bob), hello, alice.identity.address, undefined);

    expect(() => {
      const { finish } = completeHandshake(state, answer.reply);
      finishHandshake(answer.state, finish);
    }).toThrow(HandshakeError);
  });

  it('rejects every single-bit flip in a data frame', () => {
    const { aliceSession, bobSession } = handshake(makeUser('Alice'), makeUser('Bob'));
    const frame = aliceSession.seal(utf8('x'.repeat(40)));

    for (let bit = 0; bit < frame.length * 8; bit++) {
      const flipped = frame.slice();
      flipped[bit >> 3] = (flipped[bit >> 3] ?? 0) ^ (1 << (bit & 7));
      expect(() => bobSession.open(flipped), `bit ${bit}`).toThrow(/frame|counter|version|kind/);
    }
    expect(fromUtf8(bobSession.open(frame))).toBe('x'.repeat(40));
  });

  it('rejects replayed and reordered frames', () => {
    const { aliceSession, bobSession } = handshake(makeUser('Alice'), makeUser('Bob'));
    const first = aliceSession.seal(utf8('one'));
    const second = aliceSession.seal(utf8('two'));

    expect(() => bobSession.open(second)).toThrow(DecryptError);
    expect(fromUtf8(bobSession.open(first))).toBe('one');
    expect(() => bobSession.open(first)).toThrow(DecryptError);
    expect(fromUtf8(bobSession.open(second))).toBe('two');
  });

  it('rejects an oversize frame before decrypting it', () => {
    const { bobSession } = handshake(makeUser('Alice'), makeUser('Bob'));

    expect(() => bobSession.open(new Uint8Array(MAX_FRAME_BYTES + 1))).toThrow(FrameError);
  });

  it('derives different keys for each session between the same people', () => {
    const alice = makeUser('Alice');
    const bob = makeUser('Bob');
    const one = handshake(alice, bob);
    const two = handshake(alice, bob);
    const frame = one.aliceSession.seal(utf8('same counter'));

    expect(() => two.bobSession.open(frame)).toThrow(DecryptError);
  });
});
