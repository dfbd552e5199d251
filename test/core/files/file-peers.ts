/** Messenger peers with file storage on an in-memory network, for tests of chunked transfer. */

import nacl from 'tweetnacl';
import { createIdentity } from '../../../src/core/identity.ts';
import { Messenger } from '../../../src/core/messenger.ts';
import { silentLogger, systemClock } from '../../../src/core/ports.ts';
import type { FileBody } from '../../../src/core/files/file-storage-port.ts';
import { MemoryFileStorage } from '../memory-file-storage.ts';
import type { MemoryNetwork } from '../memory-network.ts';
import { MemoryStorage } from '../memory-storage.ts';

export interface FilePeer {
  address: string;
  storage: MemoryStorage;
  files: MemoryFileStorage;
  messenger: Messenger;
}

const running: Messenger[] = [];

/** Starts a messenger with file storage, keeping `storage` and `files` across restarts. */
export async function startFilePeer(
  network: MemoryNetwork,
  name: string,
  storage = new MemoryStorage(),
  files = new MemoryFileStorage(storage),
): Promise<FilePeer> {
  storage.identity ??= createIdentity(name, nacl.randomBytes, Date.now());
  const address = storage.identity.address;
  const messenger = new Messenger({
    storage,
    files,
    transport: network.transportFor(address),
    clock: systemClock,
    randomBytes: nacl.randomBytes,
    logger: silentLogger,
    appUrl: 'http://127.0.0.1:8080/',
    relayUrls: ['http://127.0.0.1:8080/'],
  });
  running.push(messenger);
  await messenger.start();

  return { address, storage, files, messenger };
}

/** Stops every messenger started here; call from afterEach. */
export function stopAllFilePeers(): void {
  for (const messenger of running.splice(0)) messenger.stop();
}

/** Starts Alice and Bob, with Bob in Alice's contacts and Alice accepted by Bob. */
export async function startFilePair(network: MemoryNetwork): Promise<{ alice: FilePeer; bob: FilePeer }> {
  const alice = await startFilePeer(network, 'Alice');
  const bob = await startFilePeer(network, 'Bob');
  await alice.messenger.addContactFromInvite(bob.messenger.inviteLink());
  await bob.messenger.addContactFromInvite(alice.messenger.inviteLink());

  return { alice, bob };
}

/** Bytes whose every position differs from its neighbours, so a misplaced part shows. */
export function patternedBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = seed >>> 0 || 1;
  for (let index = 0; index < length; index++) {
    state = (state * 1_103_515_245 + 12_345) >>> 0;
    bytes[index] = state >>> 24;
  }

  return bytes;
}

/** Wraps bytes in memory as a file body that counts its reads. */
export function bodyOf(bytes: Uint8Array): FileBody & { reads: number } {
  const body = {
    size: bytes.length,
    reads: 0,
    slice(start: number, end: number) {
      body.reads++;
      const piece = bytes.slice(start, end);

      return { arrayBuffer: async () => piece.buffer };
    },
  };

  return body;
}
