/**
 * Messengers with the organiser's tools on an in-memory network, optionally with a mailbox,
 * for tests of broadcasts, lists, opt-out, blocking and profiles.
 */

import nacl from 'tweetnacl';
import { createIdentity } from '../../../src/core/identity.ts';
import { Messenger } from '../../../src/core/messenger.ts';
import { Organiser } from '../../../src/core/organiser/organiser.ts';
import type { PlaceholderFallbacks } from '../../../src/core/organiser/template.ts';
import type { Clock } from '../../../src/core/ports.ts';
import { silentLogger, systemClock } from '../../../src/core/ports.ts';
import type { MemoryMailboxServer } from '../memory-mailbox.ts';
import type { MemoryNetwork } from '../memory-network.ts';
import { MemoryStorage } from '../memory-storage.ts';
import { MemoryOrganiserStorage } from '../memory-organiser-storage.ts';
import { TestClock } from '../messenger-peers.ts';

export const fallbacks: PlaceholderFallbacks = { name: 'there', first: 'there' };

export { TestClock };

export interface OrganiserPeer {
  name: string;
  address: string;
  storage: MemoryStorage;
  organiserStorage: MemoryOrganiserStorage;
  messenger: Messenger;
  organiser: Organiser;
}

const running: Messenger[] = [];

/** Starts a peer with the organiser's tools; pass an earlier peer's storages to restart it. */
export async function startOrganiserPeer(
  network: MemoryNetwork,
  name: string,
  {
    storage = new MemoryStorage(),
    mailboxServer,
    clock = systemClock,
  }: { storage?: MemoryStorage; mailboxServer?: MemoryMailboxServer; clock?: Clock } = {},
): Promise<OrganiserPeer> {
  storage.identity ??= createIdentity(name, nacl.randomBytes, Date.now());
  const address = storage.identity.address;
  const organiserStorage = organiserStorages.get(storage) ?? new MemoryOrganiserStorage(storage);
  organiserStorages.set(storage, organiserStorage);
  const common = {
    clock,
    randomBytes: nacl.randomBytes,
    logger: silentLogger,
    appUrl: 'http://127.0.0.1:8080/',
    relayUrls: ['http://127.0.0.1:8080/'],
  };
  const organiser = new Organiser({ storage, organiserStorage, ...common });
  const messenger = new Messenger({
    storage,
    transport: network.transportFor(address),
    ...(mailboxServer && { mailbox: mailboxServer.clientFor(address) }),
    inboxExtension: organiser.inbox,
    beforeDeliver: (conversation) => organiser.beforeDeliver(conversation),
    ...common,
  });
  organiser.attach(messenger);
  running.push(messenger);
  await messenger.start();

  return { name, address, storage, organiserStorage, messenger, organiser };
}

const organiserStorages = new WeakMap<MemoryStorage, MemoryOrganiserStorage>();

/** Makes `contact` an accepted contact of `organiser` on both sides, without any message. */
export async function befriend(organiser: OrganiserPeer, contact: OrganiserPeer): Promise<void> {
  await organiser.messenger.addContactFromInvite(contact.messenger.inviteLink());
  await contact.messenger.addContactFromInvite(organiser.messenger.inviteLink());
}

/** Stops every messenger started here; call from afterEach. */
export function stopAllOrganiserPeers(): void {
  for (const messenger of running.splice(0)) messenger.stop();
}

/** Texts of the chat messages (controls left out) in a conversation, in display order. */
export function chatTexts(peer: OrganiserPeer, conversation: string): string[] {
  return peer.storage
    .conversation(conversation)
    .filter((message) => message.control === undefined)
    .map((message) => message.text);
}
