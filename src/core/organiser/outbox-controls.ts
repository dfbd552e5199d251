/** Sending control messages through the outbox, and taking copies back out of it. */

import { toBase64Url } from '../bytes.ts';
import type { MessageRecord } from '../storage-port.ts';
import type { ControlMessage } from './control-messages.ts';
import type { OrganiserContext } from './context.ts';
import { requireIdentity } from './context.ts';

/**
 * Queues a control message to a contact and starts its delivery. A control of the same kind
 * still waiting for that contact is cancelled first, since the newer one replaces it. With
 * `isDeferred`, delivery starts in a later task, after the receipts of the batch being handled.
 */
export async function queueControl(
  context: OrganiserContext,
  conversation: string,
  control: ControlMessage,
  { isDeferred = false }: { isDeferred?: boolean } = {},
): Promise<MessageRecord> {
  const identity = requireIdentity(context);
  const waiting = await context.storage.listOutbox(conversation);
  const replaced = waiting.filter((message) => message.control?.kind === control.kind && message.status === 'queued');
  if (replaced.length > 0) await context.organiserStorage.cancelOutgoing(replaced.map((message) => message.id));

  const message = await context.storage.queueOutgoing({
    id: toBase64Url(context.randomBytes(16)),
    conversation,
    sender: identity.address,
    instance: identity.instanceId,
    text: '',
    sentAt: context.clock.now(),
    control,
  });
  if (isDeferred) setTimeout(() => void context.host().deliver(conversation), 0);
  else void context.host().deliver(conversation);

  return message;
}

/**
 * Cancels the broadcast copies still waiting for a contact who opted out of broadcasts or was
 * blocked. Returns how many were cancelled.
 */
export async function cancelStoppedCopies(context: OrganiserContext, conversation: string): Promise<number> {
  const contact = await context.storage.getContact(conversation);
  if (!contact || (contact.optedOutAt === undefined && contact.state !== 'blocked')) return 0;

  const waiting = await context.storage.listOutbox(conversation);
  const copies = waiting.filter((message) => message.isBroadcast);
  if (copies.length === 0) return 0;

  await context.organiserStorage.cancelOutgoing(copies.map((message) => message.id));
  context.logger.info('broadcast copies cancelled', { peer: conversation.slice(0, 12), count: copies.length, reason: contact.state === 'blocked' ? 'blocked' : 'opted-out' });

  return copies.length;
}
