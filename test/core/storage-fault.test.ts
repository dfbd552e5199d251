import nacl from 'tweetnacl';
import { afterEach, describe, expect, it } from 'vitest';
import { createIdentity } from '../../src/core/identity.ts';
import { Messenger } from '../../src/core/messenger.ts';
import { silentLogger, systemClock } from '../../src/core/ports.ts';
import type { StorageFault } from '../../src/core/storage-fault.ts';
import { classifyStorageFault } from '../../src/core/storage-fault.ts';
import type { ContactRecord, MessageRecord, StoreResult } from '../../src/core/storage-port.ts';
import { MemoryNetwork } from './memory-network.ts';
import { MemoryStorage } from './memory-storage.ts';
import { startPeer, statuses, stopAllPeers, waitFor } from './messenger-peers.ts';

const running: Messenger[] = [];

afterEach(() => {
  stopAllPeers();
  for (const messenger of running.splice(0)) messenger.stop();
});

/** Memory storage whose storeIncoming throws the given error while `failure` is set. */
class FaultyStorage extends MemoryStorage {
  failure: Error | undefined;

  override async storeIncoming(messages: MessageRecord[], newContact?: ContactRecord): Promise<StoreResult[]> {
    if (this.failure) throw this.failure;

    return super.storeIncoming(messages, newContact);
  }
}

function namedError(name: string): Error {
  const error = new Error(`${name} raised by the test storage`);
  error.name = name;

  return error;
}

async function startFaultyBob(network: MemoryNetwork, faults: (StorageFault | undefined)[]): Promise<{ address: string; storage: FaultyStorage }> {
  const storage = new FaultyStorage();
  storage.identity = createIdentity('Bob', nacl.randomBytes, Date.now());
  const messenger = new Messenger({
    storage,
    transport: network.transportFor(storage.identity.address),
    clock: systemClock,
    randomBytes: nacl.randomBytes,
    logger: silentLogger,
    appUrl: 'http://127.0.0.1:8080/',
    relayUrls: ['http://127.0.0.1:8080/'],
    onStorageFault: (fault) => faults.push(fault),
  });
  running.push(messenger);
  await messenger.start();

  return { address: storage.identity.address, storage };
}

describe('storage faults on receive', () => {
  it.each([
    ['full', 'StorageFullError'],
    ['full', 'QuotaExceededError'],
    ['closed', 'StorageClosedError'],
    ['closed', 'DatabaseClosedError'],
    ['failed', 'UnknownError'],
  ] as const)('report %s for %s, send no receipt and keep stored data', async (fault, errorName) => {
    const network = new MemoryNetwork();
    const faults: (StorageFault | undefined)[] = [];
    const bob = await startFaultyBob(network, faults);
    const alice = await startPeer(network, 'Alice');
    await alice.messenger.addContactFromInvite(running[0]!.inviteLink());
    await alice.messenger.sendText(bob.address, 'stored before the fault');
    await waitFor(() => statuses(alice, bob.address)[0] === 'delivered', 'the first message delivered');
    const storedBefore = [...bob.storage.messages.values()].map((message) => message.text);

    bob.storage.failure = namedError(errorName);
    await alice.messenger.sendText(bob.address, 'arrives during the fault');
    await waitFor(() => faults.at(-1) === fault, `the ${fault} fault reported`);
    await new Promise((resolve) => setTimeout(resolve, 30));

    expect(statuses(alice, bob.address)[1]).not.toBe('delivered');
    expect(alice.storage.outbox.size).toBe(1);
    expect([...bob.storage.messages.values()].map((message) => message.text)).toEqual(storedBefore);

    bob.storage.failure = undefined;
    await alice.messenger.sendText(bob.address, 'after the fault');
    await waitFor(() => faults.at(-1) === undefined, 'the fault cleared');
    await waitFor(() => statuses(alice, bob.address).every((status) => status === 'delivered'), 'the retried message delivered');

    expect(bob.storage.conversation(alice.address).map((message) => message.text)).toEqual([
      'stored before the fault',
      'arrives during the fault',
      'after the fault',
    ]);
  });

  it('classifies errors by name', () => {
    expect(classifyStorageFault(namedError('StorageFullError'))).toBe('full');
    expect(classifyStorageFault(new DOMException('quota', 'QuotaExceededError'))).toBe('full');
    expect(classifyStorageFault(namedError('InvalidStateError'))).toBe('closed');
    expect(classifyStorageFault(new Error('disk on fire'))).toBe('failed');
    expect(classifyStorageFault(undefined)).toBe('failed');
  });
});
