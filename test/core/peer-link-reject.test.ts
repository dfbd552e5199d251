import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeReject, RejectReason } from '../../src/core/crypto/reject-frame.ts';
import { HandshakeError } from '../../src/core/errors.ts';
import type { LinkCloseReason } from '../../src/core/peer-link.ts';
import { PeerLink, REJECT_LINGER_MS } from '../../src/core/peer-link.ts';
import { silentLogger, systemClock } from '../../src/core/ports.ts';
import type { ChannelHandlers, RawChannel } from '../../src/core/transport-port.ts';
import { makeUser, randomBytes } from './helpers.ts';
import type { TestUser } from './helpers.ts';

/** One end of an in-test channel pair; frames reach the other end on the next microtask. */
class TestChannel implements RawChannel {
  other: TestChannel | undefined;
  isClosed = false;
  sent: Uint8Array[] = [];
  #handlers: ChannelHandlers | undefined;

  constructor(
    readonly remoteAddress: string,
    readonly isInitiator: boolean,
  ) {}

  listen(handlers: ChannelHandlers): void {
    this.#handlers = handlers;
  }

  send(frame: Uint8Array): void {
    if (this.isClosed) return;

    this.sent.push(frame);
    const other = this.other;
    queueMicrotask(() => other?.receive(frame.slice()));
  }

  receive(frame: Uint8Array): void {
    if (!this.isClosed) this.#handlers?.onFrame(frame);
  }

  close(): void {
    if (this.isClosed) return;

    this.isClosed = true;
    this.#handlers?.onClose();
    this.other?.close();
  }
}

interface Closing {
  reason: LinkCloseReason;
  error: Error | undefined;
}

interface TestLink {
  link: PeerLink;
  channel: TestChannel;
  closings: Closing[];
  isReady: () => boolean;
}

const links: PeerLink[] = [];

function openLink(user: TestUser, channel: TestChannel, knownPeer: TestUser | undefined): TestLink {
  const closings: Closing[] = [];
  let ready = false;
  const link = new PeerLink({
    channel,
    context: { identity: user.identity, ownCard: user.card.wire, randomBytes },
    knownCard: knownPeer?.card,
    clock: systemClock,
    logger: silentLogger,
    events: {
      onReady: () => (ready = true),
      onPayload: () => {},
      onClosed: (_link, reason, error) => closings.push({ reason, error }),
    },
  });
  links.push(link);

  return { link, channel, closings, isReady: () => ready };
}

/** Dials from `caller` to whoever answers as `answerer`, which may hold other keys than `callee`. */
function dial(caller: TestUser, callee: TestUser, answerer: TestUser): { initiator: TestLink; responder: TestLink } {
  const outgoing = new TestChannel(callee.identity.address, true);
  const incoming = new TestChannel(caller.identity.address, false);
  outgoing.other = incoming;
  incoming.other = outgoing;

  const responder = openLink(answerer, incoming, undefined);
  const initiator = openLink(caller, outgoing, callee);
  responder.link.start();
  initiator.link.start();

  return { initiator, responder };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

afterEach(() => {
  for (const link of links.splice(0)) link.close('closed');
  vi.useRealTimers();
});

describe('peer link reject', () => {
  it('fails the initiator when another key answers', async () => {
    const alice = makeUser('Alice');
    const bob = makeUser('Bob');
    const mallory = makeUser('Mallory');

    const { initiator, responder } = dial(alice, bob, mallory);
    await settle();

    expect(responder.channel.sent).toEqual([encodeReject(RejectReason.NotSealedToThisKey)]);
    expect(responder.closings.map((closing) => closing.reason)).toEqual(['handshake-failed']);
    expect(initiator.closings).toHaveLength(1);
    expect(initiator.closings[0]?.reason).toBe('handshake-failed');
    expect(initiator.closings[0]?.error).toBeInstanceOf(HandshakeError);
    expect(initiator.closings[0]?.error?.message).toMatch(/different key/);
    expect(initiator.isReady()).toBe(false);
  });

  it('keeps the channel open until the reject went out', async () => {
    vi.useFakeTimers();
    const alice = makeUser('Alice');
    const bob = makeUser('Bob');
    const mallory = makeUser('Mallory');
    const outgoing = new TestChannel(bob.identity.address, true);
    const incoming = new TestChannel(alice.identity.address, false);
    incoming.other = outgoing;
    // The initiator's end never closes and never hears back, like a peer that ignores the reject.
    const responder = openLink(mallory, incoming, undefined);
    const initiator = openLink(alice, outgoing, bob);
    responder.link.start();
    initiator.link.start();

    incoming.receive(outgoing.sent[0] ?? new Uint8Array(0));
    await settle();
    expect(responder.closings.map((closing) => closing.reason)).toEqual(['handshake-failed']);
    expect(incoming.isClosed).toBe(false);

    vi.advanceTimersByTime(REJECT_LINGER_MS - 1);
    expect(incoming.isClosed).toBe(false);
    vi.advanceTimersByTime(1);
    expect(incoming.isClosed).toBe(true);
  });

  it('lets the right key through as before', async () => {
    const alice = makeUser('Alice');
    const bob = makeUser('Bob');

    const { initiator, responder } = dial(alice, bob, bob);
    await settle();

    expect(initiator.isReady()).toBe(true);
    expect(responder.isReady()).toBe(true);
    expect(initiator.closings).toEqual([]);
  });

  it('ignores a reject on an open link', async () => {
    const alice = makeUser('Alice');
    const bob = makeUser('Bob');
    const { initiator, responder } = dial(alice, bob, bob);
    await settle();

    responder.channel.send(encodeReject(RejectReason.NotSealedToThisKey));
    await settle();

    expect(initiator.link.isReady).toBe(true);
    expect(initiator.closings).toEqual([]);
    expect(initiator.link.send({ t: 'ping' })).toBe(true);
  });
});
