/**
 * Session handshake in the style of Noise KK, three messages over a fresh data channel:
 *
 *   Hello       I → R   eI, secretbox(card of I) under a key from DH(eI, sR)
 *   HelloReply  R → I   eR, tag proving R holds sR and eR
 *   Finish      I → R   tag proving I holds sI and eI
 *
 * The chaining key mixes DH(eI, eR), DH(eI, sR), DH(sI, eR) and DH(sI, sR) with a transcript hash
 * over both addresses in role order (initiator first), both static box keys and both ephemeral
 * keys, so each tag proves its sender's static key for exactly this session and these roles.
 * Traffic keys depend on the ephemeral DH, which gives forward secrecy once both ends drop their
 * ephemeral secrets. The initiator must already know the responder's box key (from an invite);
 * the responder learns the initiator's card from Hello, which is how a message request arrives.
 * Signatures are checked only on cards (once per new card), never per message.
 *
 * A responder that cannot open a Hello, because it has another key than the initiator expected,
 * replies with a Reject frame instead (`reject-frame.ts`).
 */

import nacl from 'tweetnacl';
import { bytesEqual, concatBytes, fromUtf8, utf8 } from '../bytes.ts';
import type { Card, WireCard } from '../card.ts';
import { sameWireCard, verifyCard } from '../card.ts';
import { CardError, FrameError, HandshakeError } from '../errors.ts';
import type { Identity } from '../identity.ts';
import type { RandomBytes } from '../ports.ts';
import { deriveKey, hashParts } from './kdf.ts';
import { decodeFrame, encodeFrame, FrameKind } from './frame-codec.ts';
import { raiseReject } from './reject-frame.ts';
import { Session } from './session.ts';

const PROTOCOL_NAME = 'meshtext handshake v1';
const KEY_BYTES = 32;
const TAG_BYTES = nacl.secretbox.overheadLength;
const ZERO_NONCE = new Uint8Array(nacl.secretbox.nonceLength);
const KEY_ID_LABEL = 'meshtext session key id v1';
const KEY_ID_BYTES = 16;

/**
 * Thrown by answerHandshake when the Hello was sealed to another box key than this identity's,
 * which means the initiator expected someone else at this address. The responder replies with
 * a Reject frame.
 */
export class MisaddressedHelloError extends HandshakeError {
  override name = 'MisaddressedHelloError';
}

/** Key ids of one session, hex; see sessionKeyIds. */
export interface SessionKeyIds {
  send: string;
  receive: string;
}

const keyIdsBySession = new WeakMap<Session, SessionKeyIds>();

export interface HandshakeContext {
  identity: Identity;
  ownCard: WireCard;
  randomBytes: RandomBytes;
}

interface Ephemeral {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

export interface InitiatorState {
  context: HandshakeContext;
  remoteAddress: string;
  remoteBoxKey: Uint8Array;
  ephemeral: Ephemeral;
  transcript: Uint8Array;
}

export interface ResponderState {
  context: HandshakeContext;
  remoteCard: Card;
  ephemeral: Ephemeral;
  chainingKey: Uint8Array;
  transcript: Uint8Array;
}

const dh = (secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array => nacl.scalarMult(secretKey, publicKey);

function newEphemeral(randomBytes: RandomBytes): Ephemeral {
  return nacl.box.keyPair.fromSecretKey(randomBytes(KEY_BYTES));
}

function initialTranscript(initiatorAddress: string, responderAddress: string, initiatorEphemeral: Uint8Array): Uint8Array {
  return hashParts(utf8(PROTOCOL_NAME), utf8(initiatorAddress), utf8(responderAddress), initiatorEphemeral);
}

function sealTag(key: Uint8Array): Uint8Array {
  return nacl.secretbox(new Uint8Array(0), ZERO_NONCE, key);
}

function chainingKeyOf(transcript: Uint8Array, ...sharedSecrets: Uint8Array[]): Uint8Array {
  return hashParts(transcript, ...sharedSecrets);
}

function sessionFrom(chainingKey: Uint8Array, transcript: Uint8Array, isInitiator: boolean): Session {
  const toResponder = deriveKey(chainingKey, 'meshtext session v1 initiator to responder');
  const toInitiator = deriveKey(chainingKey, 'meshtext session v1 responder to initiator');
  const sendKey = isInitiator ? toResponder : toInitiator;
  const receiveKey = isInitiator ? toInitiator : toResponder;
  const session = new Session({ sendKey, receiveKey, transcriptHash: transcript });

  keyIdsBySession.set(session, { send: keyId(sendKey), receive: keyId(receiveKey) });

  return session;
}

/** Hashes a traffic key under its own label into a short id that reveals nothing about the key. */
function keyId(key: Uint8Array): string {
  const digest = hashParts(utf8(KEY_ID_LABEL), key).subarray(0, KEY_ID_BYTES);

  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Returns one-way ids of the traffic keys of a session made by this module, so tests and
 * diagnostics can tell keys apart without reading them: equal ids mean equal keys. Returns
 * undefined for a session built elsewhere.
 */
export function sessionKeyIds(session: Session): SessionKeyIds | undefined {
  return keyIdsBySession.get(session);
}

/** Starts a handshake as initiator and returns the state and the Hello frame. */
export function startHandshake(
  context: HandshakeContext,
  remoteAddress: string,
  remoteBoxKey: Uint8Array,
): { state: InitiatorState; hello: Uint8Array } {
  const ephemeral = newEphemeral(context.randomBytes);
  const transcript = initialTranscript(context.identity.address, remoteAddress, ephemeral.publicKey);
  const cardKey = deriveKey(hashParts(transcript, dh(ephemeral.secretKey, remoteBoxKey)), 'meshtext hello card');
  const sealedCard = nacl.secretbox(utf8(JSON.stringify(context.ownCard)), ZERO_NONCE, cardKey);
  const hello = encodeFrame(FrameKind.Hello, concatBytes(ephemeral.publicKey, sealedCard));

  return {
    state: { context, remoteAddress, remoteBoxKey, ephemeral, transcript: hashParts(transcript, sealedCard) },
    hello,
  };
}

/**
 * Answers a Hello as responder. `claimedAddress` is the address the transport says the peer
 * registered; the card inside must belong to it. `knownCard` skips signature verification when
 * the peer sent exactly the card already stored.
 * @throws FrameError for a malformed frame, HandshakeError when the peer cannot be authenticated.
 */
export function answerHandshake(
  context: HandshakeContext,
  hello: Uint8Array,
  claimedAddress: string,
  knownCard: Card | undefined,
): { state: ResponderState; reply: Uint8Array } {
  const body = expectKind(hello, FrameKind.Hello);
  if (body.length < KEY_BYTES + TAG_BYTES) throw new FrameError('hello frame is truncated');

  const { identity } = context;
  const remoteEphemeral = body.subarray(0, KEY_BYTES);
  const sealedCard = body.subarray(KEY_BYTES);
  const transcript0 = initialTranscript(claimedAddress, identity.address, remoteEphemeral);
  const cardKey = deriveKey(hashParts(transcript0, dh(identity.boxSecretKey, remoteEphemeral)), 'meshtext hello card');
  const cardBytes = nacl.secretbox.open(sealedCard, ZERO_NONCE, cardKey);
  if (!cardBytes) throw new MisaddressedHelloError('hello is not sealed to this identity');

  const remoteCard = readCard(cardBytes, knownCard);
  if (remoteCard.address !== claimedAddress) {
    throw new HandshakeError('the card in hello belongs to another address than the one that dialled');
  }

  const ephemeral = newEphemeral(context.randomBytes);
  const transcript = hashParts(hashParts(transcript0, sealedCard), remoteCard.boxPublicKey, identity.boxPublicKey, ephemeral.publicKey);
  const chainingKey = chainingKeyOf(
    transcript,
    dh(ephemeral.secretKey, remoteEphemeral),
    dh(identity.boxSecretKey, remoteEphemeral),
    dh(ephemeral.secretKey, remoteCard.boxPublicKey),
    dh(identity.boxSecretKey, remoteCard.boxPublicKey),
  );
  const tag = sealTag(deriveKey(chainingKey, 'meshtext responder confirm'));
  const reply = encodeFrame(FrameKind.HelloReply, concatBytes(ephemeral.publicKey, tag));

  return { state: { context, remoteCard, ephemeral, chainingKey, transcript }, reply };
}

/**
 * Checks the responder's reply and returns the initiator's session and the Finish frame.
 * @throws HandshakeError when the responder does not hold the expected static key, or sent a
 *   Reject frame saying so.
 * @throws FrameError for a malformed reply.
 */
export function completeHandshake(state: InitiatorState, reply: Uint8Array): { session: Session; finish: Uint8Array } {
  const { kind, body } = decodeFrame(reply);
  if (kind === FrameKind.Reject) raiseReject(body);
  if (kind !== FrameKind.HelloReply) throw new FrameError(`expected handshake frame kind ${FrameKind.HelloReply}, got ${kind}`);
  if (body.length !== KEY_BYTES + TAG_BYTES) throw new FrameError('hello reply has the wrong length');

  const { identity } = state.context;
  const remoteEphemeral = body.subarray(0, KEY_BYTES);
  const tag = body.subarray(KEY_BYTES);
  const transcript = hashParts(state.transcript, identity.boxPublicKey, state.remoteBoxKey, remoteEphemeral);
  const chainingKey = chainingKeyOf(
    transcript,
    dh(state.ephemeral.secretKey, remoteEphemeral),
    dh(state.ephemeral.secretKey, state.remoteBoxKey),
    dh(identity.boxSecretKey, remoteEphemeral),
    dh(identity.boxSecretKey, state.remoteBoxKey),
  );

  if (!bytesEqual(tag, sealTag(deriveKey(chainingKey, 'meshtext responder confirm')))) {
    throw new HandshakeError('the peer at this address does not hold the contact\'s key');
  }

  const finish = encodeFrame(FrameKind.Finish, sealTag(deriveKey(chainingKey, 'meshtext initiator confirm')));

  return { session: sessionFrom(chainingKey, transcript, true), finish };
}

/**
 * Checks the initiator's Finish and returns the responder's session.
 * @throws HandshakeError when the initiator does not hold the static key of its card.
 */
export function finishHandshake(state: ResponderState, finish: Uint8Array): Session {
  const tag = expectKind(finish, FrameKind.Finish);

  if (!bytesEqual(tag, sealTag(deriveKey(state.chainingKey, 'meshtext initiator confirm')))) {
    throw new HandshakeError('the peer could not prove the key of the card it sent');
  }

  return sessionFrom(state.chainingKey, state.transcript, false);
}

function expectKind(frame: Uint8Array, expected: FrameKind): Uint8Array {
  const { kind, body } = decodeFrame(frame);
  if (kind !== expected) throw new FrameError(`expected handshake frame kind ${expected}, got ${kind}`);

  return body;
}

function readCard(bytes: Uint8Array, knownCard: Card | undefined): Card {
  let wire: unknown;
  try {
    wire = JSON.parse(fromUtf8(bytes));
  } catch (error) {
    throw new FrameError('card in hello is not valid JSON', { cause: error });
  }

  if (knownCard && typeof wire === 'object' && wire !== null && sameWireCard(wire as WireCard, knownCard.wire)) {
    return knownCard;
  }

  try {
    return verifyCard(wire);
  } catch (error) {
    if (error instanceof CardError) throw new HandshakeError(`card in hello is invalid: ${error.message}`, { cause: error });
    throw error;
  }
}
