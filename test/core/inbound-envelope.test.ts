import { describe, expect, it } from 'vitest';
import type { Card } from '../../src/core/card.ts';
import { DEFAULT_ENVELOPE_TTL_MS, sealEnvelope } from '../../src/core/crypto/envelope.ts';
import { readInboundEnvelope } from '../../src/core/inbound-envelope.ts';
import type { WirePayload } from '../../src/core/messages.ts';
import { encodePayload, MAX_ACK_IDS } from '../../src/core/messages.ts';
import { makeUser, randomBytes } from './helpers.ts';
import type { TestUser } from './helpers.ts';

const NOW = 1_760_000_000_000;
const noKnownCards = (): Card | undefined => undefined;

function seal(from: TestUser, to: TestUser, id: string, payload: WirePayload): Uint8Array {
  const contents = { id, instance: 'instance-1', seq: 3, createdAt: NOW, ttlMs: DEFAULT_ENVELOPE_TTL_MS, payload: encodePayload(payload) };

  return sealEnvelope(from.identity, from.card.wire, to.identity.boxPublicKey, contents, randomBytes);
}

function chat(id: string): WirePayload {
  return { t: 'msg', id, instance: 'instance-1', seq: 3, sentAt: NOW, text: 'see you at the gate' };
}

describe('inbound envelope', () => {
  it('reads a chat message', () => {
    const alice = makeUser('Alice');
    const bob = makeUser('Bob');

    const inbound = readInboundEnvelope(bob.identity, seal(alice, bob, 'message-1', chat('message-1')), NOW, noKnownCards);

    expect(inbound.kind).toBe('msg');
    if (inbound.kind !== 'msg') return;
    expect(inbound.sender.address).toBe(alice.identity.address);
    expect(inbound.payload.text).toBe('see you at the gate');
  });

  it('reads a receipt', () => {
    const alice = makeUser('Alice');
    const bob = makeUser('Bob');
    const ids = Array.from({ length: MAX_ACK_IDS }, (_, index) => `receipt-id-${index}`);

    const inbound = readInboundEnvelope(bob.identity, seal(alice, bob, 'receipt-1', { t: 'ack', ids }), NOW, noKnownCards);

    expect(inbound.kind).toBe('ack');
    if (inbound.kind !== 'ack') return;
    expect(inbound.ids).toEqual(ids);
  });

  it('rejects a message id unlike the header', () => {
    const alice = makeUser('Alice');
    const bob = makeUser('Bob');

    const inbound = readInboundEnvelope(bob.identity, seal(alice, bob, 'header-id', chat('other-id')), NOW, noKnownCards);

    expect(inbound).toEqual({ kind: 'invalid', reason: 'envelope payload does not match its header (type msg)' });
  });

  it('rejects an altered envelope', () => {
    const alice = makeUser('Alice');
    const bob = makeUser('Bob');
    const envelope = seal(alice, bob, 'message-1', chat('message-1'));
    envelope[envelope.length - 1]! ^= 1;

    const inbound = readInboundEnvelope(bob.identity, envelope, NOW, noKnownCards);

    expect(inbound.kind).toBe('invalid');
    if (inbound.kind !== 'invalid') return;
    expect(inbound.reason).toMatch(/DecryptError/);
  });
});
