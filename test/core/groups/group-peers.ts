/** Messenger peers with the group layer on an in-memory network, for tests of groups. */

import { verifyCard, signCard } from '../../../src/core/card.ts';
import type { Card } from '../../../src/core/card.ts';
import type { GroupLayer } from '../../../src/core/groups/group-layer.ts';
import { createGroupLayer } from '../../../src/core/groups/group-layer.ts';
import { silentLogger, systemClock } from '../../../src/core/ports.ts';
import { randomBytes } from '../helpers.ts';
import { MemoryGroupStorage } from '../memory-group-storage.ts';
import type { MemoryNetwork } from '../memory-network.ts';
import type { Peer } from '../messenger-peers.ts';
import { startPeer } from '../messenger-peers.ts';
import { MemoryStorage } from '../memory-storage.ts';

export interface GroupPeer extends Peer {
  groups: GroupLayer;
  groupStorage: MemoryGroupStorage;
  card: Card;
}

/** Starts a messenger with the group layer; pass the storages of a stopped peer to restart it. */
export async function startGroupPeer(
  network: MemoryNetwork,
  name: string,
  stores: { storage?: MemoryStorage; groupStorage?: MemoryGroupStorage } = {},
): Promise<GroupPeer> {
  const storage = stores.storage ?? new MemoryStorage();
  const groupStorage = stores.groupStorage ?? new MemoryGroupStorage();
  const peer = await startPeer(network, name, storage);
  const groups = createGroupLayer({ storage: groupStorage, messenger: peer.messenger, clock: systemClock, randomBytes, logger: silentLogger });
  await peer.messenger.refreshWatchList();
  const identity = peer.messenger.identity;
  if (!identity) throw new Error('peer has no identity');

  return { ...peer, groups, groupStorage, card: verifyCard(signCard(identity)) };
}

/** Refreshes every peer's watch list, as the app does after a group change. */
export async function refreshWatches(...peers: GroupPeer[]): Promise<void> {
  for (const peer of peers) await peer.messenger.refreshWatchList();
}
