/**
 * Cost of queuing a broadcast on IndexedDB (fake-indexeddb in Node), beside the baseline of
 * queuing the same number of one-to-one messages with `Messenger.sendText`, measured in the
 * same run on a fresh database each. Recipients are offline, so only storage and the opt-out
 * check before each delivery attempt count, not the network.
 *
 * The broadcast adds, per copy, a recipient row written in the copy's transaction and a contact
 * read before delivery, so its rate is expected below the baseline's.
 */

import 'fake-indexeddb/auto';
import nacl from 'tweetnacl';
import { signCard } from '../../src/core/card.ts';
import { createIdentity } from '../../src/core/identity.ts';
import { Messenger } from '../../src/core/messenger.ts';
import { Organiser } from '../../src/core/organiser/organiser.ts';
import { silentLogger, systemClock } from '../../src/core/ports.ts';
import type { ContactRecord } from '../../src/core/storage-port.ts';
import { openDatabase } from '../../src/storage/database.ts';
import { DexieStorage } from '../../src/storage/dexie-storage.ts';
import { DexieOrganiserStorage } from '../../src/storage/organiser-storage.ts';
import { MemoryNetwork } from '../core/memory-network.ts';
import { round, type Benchmark, type Metric } from './metric.ts';

const recipientCount = 300;
const rounds = 3;

interface Setup {
  messenger: Messenger;
  organiser: Organiser;
  addresses: string[];
  close(): void;
}

let databaseCount = 0;

async function setUp(): Promise<Setup> {
  const db = openDatabase(`meshtext-bench-broadcast-${databaseCount++}`);
  const storage = new DexieStorage(db);
  const identity = createIdentity('Olivia', nacl.randomBytes, Date.now());
  await storage.saveIdentity(identity);

  const contacts: ContactRecord[] = Array.from({ length: recipientCount }, (_, index) => {
    const contact = createIdentity(`Volunteer ${index}`, nacl.randomBytes, 1);

    return {
      address: contact.address,
      displayName: contact.displayName,
      signingPublicKey: contact.signingPublicKey,
      boxPublicKey: contact.boxPublicKey,
      card: signCard(contact),
      state: 'contact',
      addedAt: 1,
      lastActivityAt: 1,
      unreadCount: 0,
    };
  });
  await db.contacts.bulkAdd(contacts);

  const common = { clock: systemClock, randomBytes: nacl.randomBytes, logger: silentLogger, appUrl: 'http://127.0.0.1/', relayUrls: [] };
  const organiser = new Organiser({ storage, organiserStorage: new DexieOrganiserStorage(storage), ...common });
  const messenger = new Messenger({
    storage,
    transport: new MemoryNetwork().transportFor(identity.address),
    inboxExtension: organiser.inbox,
    beforeDeliver: (conversation) => organiser.beforeDeliver(conversation),
    ...common,
  });
  organiser.attach(messenger);
  await messenger.start();

  return {
    messenger,
    organiser,
    addresses: contacts.map((contact) => contact.address),
    close: () => {
      messenger.stop();
      db.close();
    },
  };
}

/** Returns the median of `rounds` timings of `operation` on a fresh setup each, in ms. */
async function medianMs(operation: (setup: Setup) => Promise<void>): Promise<number> {
  const durations: number[] = [];

  for (let index = 0; index < rounds; index++) {
    const setup = await setUp();
    const startedAt = performance.now();
    await operation(setup);
    durations.push(performance.now() - startedAt);
    setup.close();
  }

  return durations.sort((a, b) => a - b)[Math.floor(durations.length / 2)] ?? 0;
}

export const broadcastQueue: Benchmark = {
  name: 'broadcast',
  async run(): Promise<Metric[]> {
    const fallbacks = { name: 'there', first: 'there' };
    const broadcastMs = await medianMs(async ({ organiser, addresses }) => {
      const list = await organiser.lists.create('Everyone');
      await organiser.lists.addMembers(list.id, addresses);
      await organiser.broadcasts.send('Hi {first}, rehearsal at six', { listIds: [list.id] }, fallbacks);
    });
    const oneByOneMs = await medianMs(async ({ messenger, addresses }) => {
      for (const address of addresses) await messenger.sendText(address, 'Hi, rehearsal at six');
    });

    return [
      {
        name: `broadcast queued to ${recipientCount} (copies/s)`,
        value: round((recipientCount * 1000) / broadcastMs, 0),
        unit: 'copies/s',
        baseline: round((recipientCount * 1000) / oneByOneMs, 0),
        goal: null,
      },
      {
        name: `broadcast to ${recipientCount}, total time`,
        value: round(broadcastMs, 0),
        unit: 'ms',
        baseline: round(oneByOneMs, 0),
        goal: null,
      },
    ];
  },
};
