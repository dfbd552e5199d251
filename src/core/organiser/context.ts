/** What the organiser's services share: storage, ports, and the messenger they send through. */

import type { WireCard } from '../card.ts';
import type { Identity } from '../identity.ts';
import type { Clock, Logger, RandomBytes } from '../ports.ts';
import type { ContactRecord, CoreStorage } from '../storage-port.ts';
import type { OrganiserStorage } from './organiser-storage.ts';

/** The parts of the Messenger the organiser's services use. */
export interface MessengerHost {
  readonly identity: Identity | undefined;
  ownCard(): WireCard;
  deliver(conversation: string): Promise<void>;
  refreshWatchList(): Promise<void>;
  addContactFromInvite(link: string): Promise<ContactRecord>;
  changeDisplayName(displayName: string): Promise<Identity>;
}

export interface OrganiserContext {
  storage: CoreStorage;
  organiserStorage: OrganiserStorage;
  clock: Clock;
  randomBytes: RandomBytes;
  logger: Logger;
  /** URL of this app, the base of join links. */
  appUrl: string;
  /** Relay URLs written into join links. */
  relayUrls: string[];
  /** Returns the messenger; throws until one is attached. */
  host(): MessengerHost;
}

/** Returns the identity of the attached messenger. */
export function requireIdentity(context: OrganiserContext): Identity {
  const identity = context.host().identity;
  if (!identity) throw new Error('messenger has no identity yet; call start() first');

  return identity;
}
