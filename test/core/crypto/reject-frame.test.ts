import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, FrameKind } from '../../../src/core/crypto/frame-codec.ts';
import {
  answerHandshake,
  completeHandshake,
  finishHandshake,
  MisaddressedHelloError,
  startHandshake,
} from '../../../src/core/crypto/handshake.ts';
import { encodeReject, RejectReason } from '../../../src/core/crypto/reject-frame.ts';
import { FrameError, HandshakeError } from '../../../src/core/errors.ts';
import { fromUtf8, utf8 } from '../../../src/core/bytes.ts';
import { makeUser, randomBytes } from '../helpers.ts';
import type { TestUser } from '../helpers.ts';

function contextOf(user: TestUser) {
  return { identity: user.identity, ownCard: user.card.wire, randomBytes };
}

describe('reject frame', () => {
  it('is version, kind 6 and one reason byte', () => {
    const frame = encodeReject(RejectReason.NotSealedToThisKey);

    expect([...frame]).toEqual([1, 6, 1]);
    expect(decodeFrame(frame)).toEqual({ kind: FrameKind.Reject, body: Uint8Array.of(1) });
  });

  it('marks a hello sealed to another key as misaddressed', () => {
    const alice = makeUser('Alice');
    const bob = makeUser('Bob');
    const mallory = makeUser('Mallory');
    const { hello } = startHandshake(contextOf(alice), bob.identity.address, bob.identity.boxPublicKey);

    const attempt = () => answerHandshake(contextOf(mallory), hello, alice.identity.address, undefined);

    expect(attempt).toThrow(MisaddressedHelloError);
    expect(attempt).toThrow(HandshakeError);
  });

  it('does not mark other handshake failures as misaddressed', () => {
    const alice = makeUser('Alice');
    const bob = makeUser('Bob');
    const mallory = makeUser('Mallory');
    // Mallory registered Alice's address but sends her own card, which Bob can read but refuses.
    const squatter = { identity: { ...mallory.identity, address: alice.identity.address }, card: mallory.card };
    const { hello } = startHandshake(contextOf(squatter), bob.identity.address, bob.identity.boxPublicKey);

    let thrown: unknown;
    try {
      answerHandshake(contextOf(bob), hello, alice.identity.address, undefined);
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(HandshakeError);
    expect(thrown).not.toBeInstanceOf(MisaddressedHelloError);
  });

  it('marks a hello whose dialler the relay misreports as misaddressed', () => {
    const alice = makeUser('Alice');
    const bob = makeUser('Bob');
    const carol = makeUser('Carol');
    const { hello } = startHandshake(contextOf(alice), bob.identity.address, bob.identity.boxPublicKey);

    // Both addresses go into the key that seals the card, so Bob cannot open it either.
    expect(() => answerHandshake(contextOf(bob), hello, carol.identity.address, undefined)).toThrow(MisaddressedHelloError);
  });

  it('fails the initiator handshake with the wrong-key reason', () => {
    const alice = makeUser('Alice');
    const bob = makeUser('Bob');
    const { state } = startHandshake(contextOf(alice), bob.identity.address, bob.identity.boxPublicKey);

    expect(() => completeHandshake(state, encodeReject(RejectReason.NotSealedToThisKey))).toThrow(
      new HandshakeError("someone answered at this contact's address with a different key"),
    );
  });

  it('rejects a reject frame with a malformed body as a frame error', () => {
    const alice = makeUser('Alice');
    const bob = makeUser('Bob');
    const { state } = startHandshake(contextOf(alice), bob.identity.address, bob.identity.boxPublicKey);
    const bodies = [new Uint8Array(0), Uint8Array.of(1, 0), Uint8Array.of(0), Uint8Array.of(2), Uint8Array.of(255)];

    for (const body of bodies) {
      const attempt = () => completeHandshake(state, encodeFrame(FrameKind.Reject, body));
      expect(attempt, `body ${[...body].join(',')}`).toThrow(FrameError);
    }
  });

  it('leaves the initiator state usable, so a reject cannot change keys', () => {
    const alice = makeUser('Alice');
    const bob = makeUser('Bob');
    const { state, hello } = startHandshake(contextOf(alice), bob.identity.address, bob.identity.boxPublicKey);
    const answer = answerHandshake(contextOf(bob), hello, alice.identity.address, undefined);

    expect(() => completeHandshake(state, encodeReject(RejectReason.NotSealedToThisKey))).toThrow(HandshakeError);
    const { session, finish } = completeHandshake(state, answer.reply);
    const bobSession = finishHandshake(answer.state, finish);

    expect(fromUtf8(bobSession.open(session.seal(utf8('still bob'))))).toBe('still bob');
  });

  it('is refused by a responder waiting for finish and by an open session', () => {
    const alice = makeUser('Alice');
    const bob = makeUser('Bob');
    const { state, hello } = startHandshake(contextOf(alice), bob.identity.address, bob.identity.boxPublicKey);
    const answer = answerHandshake(contextOf(bob), hello, alice.identity.address, undefined);
    const reject = encodeReject(RejectReason.NotSealedToThisKey);

    expect(() => finishHandshake(answer.state, reject)).toThrow(FrameError);

    const { session } = completeHandshake(state, answer.reply);
    expect(() => session.open(reject)).toThrow(FrameError);
  });
});
