/** Builds the group layer and connects it to a messenger's links. */

import type { Messenger } from '../messenger.ts';
import type { Clock, Logger, RandomBytes } from '../ports.ts';
import { createGroupCircle } from './group-circle.ts';
import { GroupCore } from './group-core.ts';
import { GroupService } from './group-service.ts';
import { GroupSync } from './group-sync.ts';
import type { GroupStorage } from './group-types.ts';

export interface GroupLayer {
  service: GroupService;
  sync: GroupSync;
}

export interface GroupLayerOptions {
  storage: GroupStorage;
  messenger: Messenger;
  clock: Clock;
  randomBytes: RandomBytes;
  logger: Logger;
}

export function createGroupLayer(options: GroupLayerOptions): GroupLayer {
  const { messenger } = options;
  const core = new GroupCore({
    storage: options.storage,
    clock: options.clock,
    randomBytes: options.randomBytes,
    logger: options.logger,
    identity: () => {
      const identity = messenger.identity;
      if (!identity) throw new Error('group layer has no identity yet; start the messenger first');
      return identity;
    },
  });
  const sync = new GroupSync(core, {
    send: (address, body) => messenger.sendExtensionPayload(address, body),
    isConnected: (address) => messenger.isConnected(address),
    connect: (address) => messenger.connectTo(address),
  });

  messenger.attachExtension({
    onPayload: (from, body) => sync.receive(from, body),
    onLinkReady: (address) => void sync.linkReady(address).catch((error: unknown) => options.logger.error('group sync on link failed', { error: String(error) })),
    onPresence: (address, isOnline) => void sync.presence(address, isOnline),
    cardFor: (address) => sync.cardFor(address),
    watchAddresses: () => sync.watchAddresses(),
    reconnect: (unlinked) => sync.reconnect(unlinked),
  });

  // Group members may carry one-to-one envelopes for each other although they are not contacts.
  messenger.registerCarryCircle(createGroupCircle(options.storage, () => core.identity.address));

  return { service: new GroupService(core, sync), sync };
}
