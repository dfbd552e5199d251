import { createPrivateKey, createPublicKey, diffieHellman, hkdfSync, createHash, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { fromUtf8 } from '../../src/core/bytes.ts';
import { openEnvelope } from '../../src/core/crypto/envelope.ts';
import { parseInviteLink } from '../../src/core/invite.ts';
import { computeVectors } from './vectors/compute-vectors.ts';
import type { KnownAnswerVectors } from './vectors/compute-vectors.ts';
import { seededRandom } from './vectors/seeded-random.ts';

const committed = JSON.parse(
  readFileSync(new URL('./vectors/protocol-v1.json', import.meta.url), 'utf8'),
) as KnownAnswerVectors;

// DER headers that turn 32 raw key bytes into keys node:crypto imports (RFC 8410).
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const RAW_KEY_OFFSET_IN_SPKI = 12;
const ZERO_NONCE = new Uint8Array(24);

const hex = (text: string): Buffer => Buffer.from(text, 'hex');

function x25519Private(secretHex: string): KeyObject {
  return createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, hex(secretHex)]), format: 'der', type: 'pkcs8' });
}

function x25519Public(publicKey: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([X25519_SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
}

/** X25519 public key of a secret key, computed by node:crypto (OpenSSL). */
function nodePublicOf(secretHex: string): Buffer {
  return createPublicKey(x25519Private(secretHex)).export({ format: 'der', type: 'spki' }).subarray(RAW_KEY_OFFSET_IN_SPKI);
}

function nodeDh(secretHex: string, publicKey: Uint8Array): Buffer {
  return diffieHellman({ privateKey: x25519Private(secretHex), publicKey: x25519Public(publicKey) });
}

/** Hashes length-prefixed parts as the protocol does, written again with node:crypto. */
function nodeHashParts(...parts: (Uint8Array | string)[]): Buffer {
  const hash = createHash('sha512');
  for (const part of parts) {
    const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hash.update(length).update(bytes);
  }

  return hash.digest();
}

/** Derives a key as the protocol does, as plain HKDF-SHA-512 with an empty salt. */
function nodeDeriveKey(inputKeyMaterial: Uint8Array, label: string): Buffer {
  return Buffer.from(hkdfSync('sha512', inputKeyMaterial, Buffer.alloc(0), label, 32));
}

function nodeKeyId(key: Uint8Array): string {
  return nodeHashParts('meshtext session key id v1', key).subarray(0, 16).toString('hex');
}

describe('known-answer vectors', () => {
  it('match the committed protocol v1 file', () => {
    expect(computeVectors()).toEqual(committed);
  });

  it('come from a seeded stream that repeats exactly', () => {
    const first = seededRandom('repeat');
    const second = seededRandom('repeat');

    expect(first(7)).toEqual(second(7));
    expect(first(100)).toEqual(second(100));
    expect(seededRandom('other')(16)).not.toEqual(seededRandom('repeat')(16));
  });

  it('open with the library as expected', () => {
    const vectors = computeVectors();
    // Opening needs only Bob's box keys, so the signing secret is left empty.
    const bob = {
      version: 1,
      address: vectors.bob.address,
      displayName: vectors.bob.name,
      signingPublicKey: hex(vectors.bob.signingPublicKey),
      signingSecretKey: new Uint8Array(64),
      boxPublicKey: hex(vectors.bob.boxPublicKey),
      boxSecretKey: hex(vectors.bob.boxSecretKey),
      instanceId: vectors.bob.instanceId,
      createdAt: vectors.bob.createdAt,
    };

    const opened = openEnvelope(bob, hex(committed.envelope.sealed), committed.envelope.createdAt, () => undefined);
    expect(fromUtf8(opened.payload)).toBe(committed.envelope.payloadText);
    expect(opened.sender.address).toBe(committed.alice.address);
    expect(parseInviteLink(committed.invite.link).card.address).toBe(committed.alice.address);
  });
});

describe('known-answer vectors against node:crypto', () => {
  const { alice, bob, aliceCard, handshake, envelope } = committed;

  it('derive the same X25519 public keys', () => {
    expect(nodePublicOf(alice.boxSecretKey).toString('hex')).toBe(alice.boxPublicKey);
    expect(nodePublicOf(bob.boxSecretKey).toString('hex')).toBe(bob.boxPublicKey);
    expect(nodePublicOf(handshake.initiatorEphemeralSecretKey)).toEqual(hex(handshake.hello).subarray(2, 34));
    expect(nodePublicOf(handshake.responderEphemeralSecretKey)).toEqual(hex(handshake.reply).subarray(2, 34));
    expect(nodePublicOf(envelope.ephemeralSecretKey)).toEqual(hex(envelope.sealed).subarray(2, 34));
  });

  it('agree with tweetnacl on every handshake DH value', () => {
    const responderEphemeralPublic = hex(handshake.reply).subarray(2, 34);
    const pairs: [string, string, Uint8Array][] = [
      ['DH(eI, eR)', handshake.initiatorEphemeralSecretKey, responderEphemeralPublic],
      ['DH(eI, sR)', handshake.initiatorEphemeralSecretKey, hex(bob.boxPublicKey)],
      ['DH(sI, eR)', alice.boxSecretKey, responderEphemeralPublic],
      ['DH(sI, sR)', alice.boxSecretKey, hex(bob.boxPublicKey)],
    ];

    for (const [name, secretHex, publicKey] of pairs) {
      expect(nodeDh(secretHex, publicKey), name).toEqual(Buffer.from(nacl.scalarMult(hex(secretHex), publicKey)));
    }
    // The responder computes the same values from its side.
    expect(nodeDh(handshake.responderEphemeralSecretKey, nodePublicOf(handshake.initiatorEphemeralSecretKey))).toEqual(
      nodeDh(handshake.initiatorEphemeralSecretKey, responderEphemeralPublic),
    );
  });

  it('reproduce the transcript hash and traffic keys', () => {
    const hello = hex(handshake.hello);
    const reply = hex(handshake.reply);
    const initiatorEphemeralPublic = hello.subarray(2, 34);
    const sealedCard = hello.subarray(34);
    const responderEphemeralPublic = reply.subarray(2, 34);

    const start = nodeHashParts('meshtext handshake v1', alice.address, bob.address, initiatorEphemeralPublic);
    const transcript = nodeHashParts(nodeHashParts(start, sealedCard), hex(alice.boxPublicKey), hex(bob.boxPublicKey), responderEphemeralPublic);
    expect(transcript.toString('hex')).toBe(handshake.transcriptHash);

    const chainingKey = nodeHashParts(
      transcript,
      nodeDh(handshake.initiatorEphemeralSecretKey, responderEphemeralPublic),
      nodeDh(handshake.initiatorEphemeralSecretKey, hex(bob.boxPublicKey)),
      nodeDh(alice.boxSecretKey, responderEphemeralPublic),
      nodeDh(alice.boxSecretKey, hex(bob.boxPublicKey)),
    );
    const toResponder = nodeDeriveKey(chainingKey, 'meshtext session v1 initiator to responder');
    const toInitiator = nodeDeriveKey(chainingKey, 'meshtext session v1 responder to initiator');
    expect(handshake.initiatorKeyIds).toEqual({ send: nodeKeyId(toResponder), receive: nodeKeyId(toInitiator) });
    expect(handshake.responderKeyIds).toEqual({ send: nodeKeyId(toInitiator), receive: nodeKeyId(toResponder) });

    // XSalsa20-Poly1305 is not in node:crypto, so tweetnacl opens, under the keys derived above.
    const frame = hex(handshake.initiatorToResponder.frame);
    expect([...frame.subarray(0, 10)]).toEqual([1, 4, 0, 0, 0, 0, 0, 0, 0, 0]);
    const opened = nacl.secretbox.open(frame.subarray(10), ZERO_NONCE, toResponder);
    expect(opened).not.toBeNull();
    expect(fromUtf8(opened ?? new Uint8Array())).toBe(handshake.initiatorToResponder.text);

    const cardKey = nodeDeriveKey(nodeHashParts(start, nodeDh(handshake.initiatorEphemeralSecretKey, hex(bob.boxPublicKey))), 'meshtext hello card');
    const card = nacl.secretbox.open(sealedCard, ZERO_NONCE, cardKey);
    expect(card).not.toBeNull();
    expect(JSON.parse(fromUtf8(card ?? new Uint8Array()))).toEqual(aliceCard);
  });

  it('reproduce the envelope outer key', () => {
    const sealed = hex(envelope.sealed);
    const ephemeralPublic = sealed.subarray(2, 34);
    const shared = nodeDh(envelope.ephemeralSecretKey, hex(bob.boxPublicKey));
    const outerKey = nodeDeriveKey(nodeHashParts('meshtext envelope v1 outer', ephemeralPublic, hex(bob.boxPublicKey), shared), 'meshtext envelope outer');

    const outer = nacl.secretbox.open(sealed.subarray(34), ZERO_NONCE, outerKey);
    if (!outer) throw new Error('outer layer did not open under the independently derived key');
    const cardLength = Buffer.from(outer).readUInt16BE(0);
    expect(JSON.parse(fromUtf8(outer.subarray(2, 2 + cardLength)))).toEqual(aliceCard);
  });

  it('verify and reproduce the card signature with Ed25519', () => {
    const privateKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, hex(alice.signingSeed)]), format: 'der', type: 'pkcs8' });
    const publicKey = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, hex(alice.signingPublicKey)]), format: 'der', type: 'spki' });
    const message = Buffer.concat([
      Buffer.from('meshtext card v1\u0000', 'utf8'),
      hex(alice.signingPublicKey),
      hex(alice.boxPublicKey),
      Buffer.from(aliceCard.name, 'utf8'),
    ]);
    const signature = Buffer.from(aliceCard.signature, 'base64url');

    expect(createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(RAW_KEY_OFFSET_IN_SPKI)).toEqual(hex(alice.signingPublicKey));
    expect(verify(null, message, publicKey, signature)).toBe(true);
    expect(sign(null, message, privateKey)).toEqual(signature);
    expect(Buffer.from(aliceCard.signingKey, 'base64url')).toEqual(hex(alice.signingPublicKey));
  });

  it('decode the invite payload as plain base64url JSON', () => {
    const payload = committed.invite.link.split('#/invite/v1.')[1] ?? '';

    expect(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))).toEqual({
      v: 1,
      card: aliceCard,
      address: alice.address,
      relays: committed.invite.relays,
    });
  });
});
