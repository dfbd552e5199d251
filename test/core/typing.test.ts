import nacl from 'tweetnacl';
import { afterEach, describe, expect, it } from 'vitest';
import { createIdentity } from '../../src/core/identity.ts';
import { Messenger } from '../../src/core/messenger.ts';
import { silentLogger, systemClock } from '../../src/core/ports.ts';
import { MIN_TYPING_RECEIVE_INTERVAL_MS, TYPING_SIGNAL_INTERVAL_MS, TypingLimiter } from '../../src/core/typing.ts';
import { decodePayload, encodePayload } from '../../src/core/messages.ts';
import { FrameError } from '../../src/core/errors.ts';
import { MemoryNetwork } from './memory-network.ts';
import { MemoryStorage } from './memory-storage.ts';
import { waitFor } from './messenger-peers.ts';

const started: Messenger[] = [];

afterEach(() => {
  for (const messenger of started.splice(0)) messenger.stop();
});

interface TypingPeer {
  address: string;
  storage: MemoryStorage;
  messenger: Messenger;
  signals: boolean[];
}

async function startTypingPeer(network: MemoryNetwork, name: string): Promise<TypingPeer> {
  const storage = new MemoryStorage();
  storage.identity = createIdentity(name, nacl.randomBytes, Date.now());
  const signals: boolean[] = [];
  const messenger = new Messenger({
    storage,
    transport: network.transportFor(storage.identity.address),
    clock: systemClock,
    randomBytes: nacl.randomBytes,
    logger: silentLogger,
    appUrl: 'http://127.0.0.1:8080/',
    relayUrls: ['http://127.0.0.1:8080/'],
    onTyping: (_address, isTyping) => signals.push(isTyping),
  });
  started.push(messenger);
  await messenger.start();

  return { address: storage.identity.address, storage, messenger, signals };
}

describe('TypingLimiter', () => {
  it('sends typing at most once per interval', () => {
    const limiter = new TypingLimiter();

    expect(limiter.shouldSend('peer', true, 0)).toBe(true);
    expect(limiter.shouldSend('peer', true, TYPING_SIGNAL_INTERVAL_MS - 1)).toBe(false);
    expect(limiter.shouldSend('peer', true, TYPING_SIGNAL_INTERVAL_MS)).toBe(true);
    expect(limiter.shouldSend('other', true, 1)).toBe(true);
  });

  it('sends stopped only after typing went out', () => {
    const limiter = new TypingLimiter();

    expect(limiter.shouldSend('peer', false, 0)).toBe(false);
    limiter.shouldSend('peer', true, 0);
    expect(limiter.shouldSend('peer', false, 10)).toBe(true);
    expect(limiter.shouldSend('peer', false, 20)).toBe(false);
    expect(limiter.shouldSend('peer', true, 30)).toBe(true);
  });

  it('drops signals that come too fast', () => {
    const limiter = new TypingLimiter();

    expect(limiter.shouldAccept('peer', true, 0)).toBe(true);
    expect(limiter.shouldAccept('peer', true, MIN_TYPING_RECEIVE_INTERVAL_MS - 1)).toBe(false);
    expect(limiter.shouldAccept('peer', false, 5)).toBe(true);
    expect(limiter.shouldAccept('peer', true, 6)).toBe(true);
  });
});

describe('typing signals', () => {
  it('reach a linked peer and end with a message', async () => {
    const network = new MemoryNetwork();
    const alice = await startTypingPeer(network, 'Alice');
    const bob = await startTypingPeer(network, 'Bob');
    await alice.messenger.addContactFromInvite(bob.messenger.inviteLink());
    await alice.messenger.sendText(bob.address, 'hello');
    await waitFor(() => alice.messenger.isConnected(bob.address), 'a ready link');

    for (let press = 0; press < 20; press++) alice.messenger.sendTyping(bob.address, true);
    await waitFor(() => bob.signals.includes(true), 'bob to see typing');
    await alice.messenger.sendText(bob.address, 'done typing');
    await waitFor(() => bob.signals.at(-1) === false, 'the message to end typing');

    expect(bob.signals.filter((signal) => signal)).toHaveLength(1);
    expect(alice.storage.messages.size).toBe(2);
  });

  it('are dropped without a link, never queued', async () => {
    const network = new MemoryNetwork();
    const alice = await startTypingPeer(network, 'Alice');
    const bob = await startTypingPeer(network, 'Bob');
    await alice.messenger.addContactFromInvite(bob.messenger.inviteLink());
    bob.messenger.stop();
    network.leave(bob.address);

    alice.messenger.sendTyping(bob.address, true);

    expect(alice.storage.outbox.size).toBe(0);
    expect(alice.storage.messages.size).toBe(0);
  });

  it('payload decodes only with a boolean flag', () => {
    expect(decodePayload(encodePayload({ t: 'typing', isTyping: true }))).toEqual({ t: 'typing', isTyping: true });
    expect(() => decodePayload(new TextEncoder().encode('{"t":"typing","isTyping":"yes"}'))).toThrow(FrameError);
    expect(() => decodePayload(new TextEncoder().encode('{"t":"typing"}'))).toThrow(/typing flag is invalid/);
  });
});
