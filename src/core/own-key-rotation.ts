/**
 * Changing this user's own keys (see PROTOCOL.md, "Key rotation"), and the handover that keeps
 * the old keys for a while to collect what contacts still send to the old address.
 */

import { toBase64Url } from './bytes.ts';
import type { Card } from './card.ts';
import { signCard } from './card.ts';
import type { InboxResult } from './inbox.ts';
import { createIdentity } from './identity.ts';
import type { Identity } from './identity.ts';
import { signRotation } from './key-rotation.ts';
import type { Mailbox } from './mailbox-port.ts';
import { MailboxCourier } from './mailbox-courier.ts';
import type { ChatPayload } from './messages.ts';
import type { Clock, Logger, RandomBytes } from './ports.ts';
import type { CoreStorage, OutgoingDraft } from './storage-port.ts';

/** Time the keys replaced by a rotation are kept: as long as an envelope sealed to them may live. */
export const RETIRED_KEY_KEEP_MS = 14 * 24 * 60 * 60 * 1000;

export interface RotationContext {
  storage: CoreStorage;
  clock: Clock;
  randomBytes: RandomBytes;
  logger: Logger;
}

/**
 * Creates a new identity under the same name and install, signs a rotation statement with the
 * old and the new key, and stores the new identity with the statement queued to every accepted
 * contact, in one storage transaction. `stamp` gives each queued message its time. Returns the
 * new identity.
 */
export async function rotateOwnKeys(context: RotationContext, previous: Identity, stamp: () => number): Promise<Identity> {
  const { storage, clock, randomBytes, logger } = context;
  const now = clock.now();
  const next: Identity = { ...createIdentity(previous.displayName, randomBytes, now), instanceId: previous.instanceId };
  const rotation = signRotation(previous, next, now);
  const contacts = (await storage.listContacts()).filter((contact) => contact.state === 'contact');
  const drafts: OutgoingDraft[] = contacts.map((contact) => ({
    id: toBase64Url(randomBytes(16)),
    conversation: contact.address,
    sender: next.address,
    instance: next.instanceId,
    text: '',
    sentAt: stamp(),
    rotation,
  }));

  await storage.rotateIdentity(next, { identity: previous, retiredAt: now, keepUntil: now + RETIRED_KEY_KEEP_MS }, drafts);
  logger.info('keys rotated', { contacts: drafts.length });

  return next;
}

/** Returns the retired identities whose keep time has not run out, and deletes the others. */
export async function keptRetiredIdentities({ storage, clock, logger }: RotationContext): Promise<Identity[]> {
  const kept: Identity[] = [];

  for (const retired of await storage.listRetiredIdentities()) {
    if (retired.keepUntil > clock.now()) {
      kept.push(retired.identity);
      continue;
    }
    await storage.deleteRetiredIdentity(retired.identity.address);
    logger.info('retired keys deleted', { address: retired.identity.address.slice(0, 12) });
  }

  return kept;
}

/** Messenger callbacks that a retired identity's courier uses. */
export interface RetiredCourierHost {
  storeChat(card: Card, payload: ChatPayload): Promise<InboxResult>;
  countRejectedEnvelope(): void;
}

/**
 * Creates the courier that collects envelopes sent to a retired address from `mailbox`, which
 * must be authenticated as that address, and opens them with the retired keys. Receipts go
 * back sealed by the retired identity, never over a direct link, so a contact that has not
 * accepted the key change yet can match them.
 */
export function retiredMailboxCourier(context: RotationContext, retired: Identity, mailbox: Mailbox, host: RetiredCourierHost): MailboxCourier {
  const card = signCard(retired);

  return new MailboxCourier({
    ...context,
    mailbox,
    host: {
      identity: () => retired,
      ownCard: () => card,
      storeChat: (sender, payload) => host.storeChat(sender, payload),
      sendDirect: () => false,
      countRejectedEnvelope: () => host.countRejectedEnvelope(),
    },
  });
}
