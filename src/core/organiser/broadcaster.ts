/**
 * Broadcasts: one template sent as a separate end-to-end message to each recipient, in the
 * ordinary one-to-one conversation with them, so replies land in that conversation. The
 * broadcast and its planned recipients are stored first. The copies are then queued in the
 * outbox in transactions of up to MAX_OUTBOX_WRITE_BATCH copies, the batch size the
 * messenger's OutboxWriter uses for sends, and delivered like any message. Recipients who
 * opted out or are blocked get no copy, and that is checked again for each copy just before
 * its batch is queued and before each delivery attempt, so a copy queued before an opt-out is
 * cancelled.
 */

import { toBase64Url } from '../bytes.ts';
import { MAX_OUTBOX_WRITE_BATCH } from '../outbox-writer.ts';
import type { ContactRecord } from '../storage-port.ts';
import type { OrganiserContext } from './context.ts';
import { requireIdentity } from './context.ts';
import type { BroadcastCopy, BroadcastRecipient, RecipientOutcome } from './organiser-storage.ts';
import type { PlaceholderFallbacks, Template } from './template.ts';
import { parseTemplate, renderTemplate, valuesForName } from './template.ts';

/** Who a broadcast goes to: every member of the lists, plus contacts picked one by one. */
export interface BroadcastAudience {
  listIds: string[];
  addresses?: string[];
}

/** One row of a broadcast preview: the text a recipient would get, or why they get none. */
export interface PreviewRow {
  address: string;
  displayName: string;
  outcome: Exclude<RecipientOutcome, 'queued'>;
  text?: string;
}

export class Broadcaster {
  #context: OrganiserContext;
  /** Serialises queuing, so a resume and a new broadcast never queue the same recipient twice. */
  #queuing: Promise<void> = Promise.resolve();

  constructor(context: OrganiserContext) {
    this.#context = context;
  }

  /**
   * Renders the template for every recipient without storing anything.
   * @throws TemplateError for an empty template, an unknown or unclosed placeholder, or a copy
   *   longer than MAX_TEXT_LENGTH.
   */
  async preview(source: string, audience: BroadcastAudience, fallbacks: PlaceholderFallbacks): Promise<PreviewRow[]> {
    const template = parseTemplate(source);
    const contacts = await this.#resolveAudience(audience);

    return contacts.map((contact) => previewRow(template, contact, fallbacks));
  }

  /**
   * Stores a broadcast and queues one copy per recipient who may get it. Returns its id once
   * every copy is queued; delivery continues in the background.
   * @throws TemplateError as preview() does, before anything is stored; RangeError when nobody is chosen.
   */
  async send(source: string, audience: BroadcastAudience, fallbacks: PlaceholderFallbacks): Promise<string> {
    const rows = await this.preview(source, audience, fallbacks);
    if (rows.length === 0) throw new RangeError('choose at least one list or contact with members');

    const { organiserStorage, clock, randomBytes, logger } = this.#context;
    const id = toBase64Url(randomBytes(16));
    const recipients: BroadcastRecipient[] = rows.map((row) => ({
      broadcast: id,
      address: row.address,
      displayName: row.displayName,
      outcome: row.outcome,
      ...(row.text !== undefined && { text: row.text }),
    }));
    await organiserStorage.createBroadcast(
      { id, template: source.trim(), listIds: audience.listIds, createdAt: clock.now(), recipientCount: recipients.length },
      recipients,
    );
    logger.info('broadcast stored', { broadcast: id.slice(0, 8), recipients: recipients.length });

    await this.resume();

    return id;
  }

  /** Queues every copy still pending, such as those a closed tab or a crash left behind. */
  resume(): Promise<void> {
    this.#queuing = this.#queuing.then(() => this.#queuePending()).catch((error: unknown) => {
      this.#context.logger.error('queuing broadcast copies failed', { error: String(error) });
    });

    return this.#queuing;
  }

  async #queuePending(): Promise<void> {
    const pending = await this.#context.organiserStorage.listPendingRecipients();

    for (let start = 0; start < pending.length; start += MAX_OUTBOX_WRITE_BATCH) {
      await this.#queueBatch(pending.slice(start, start + MAX_OUTBOX_WRITE_BATCH));
    }
  }

  /** Checks each recipient again, then queues the copies of those who may still get one in one transaction. */
  async #queueBatch(recipients: BroadcastRecipient[]): Promise<void> {
    const { storage, organiserStorage, clock, randomBytes } = this.#context;
    const identity = requireIdentity(this.#context);
    const copies: BroadcastCopy[] = [];

    for (const recipient of recipients) {
      const contact = await storage.getContact(recipient.address);
      const outcome = contact ? exclusionOf(contact) : 'blocked';
      if (outcome !== 'pending' || recipient.text === undefined) {
        await organiserStorage.setRecipientOutcome(recipient.broadcast, recipient.address, outcome === 'pending' ? 'blocked' : outcome);
        continue;
      }

      copies.push({
        recipient,
        draft: {
          id: toBase64Url(randomBytes(16)),
          conversation: recipient.address,
          sender: identity.address,
          instance: identity.instanceId,
          text: recipient.text,
          sentAt: clock.now(),
          isBroadcast: true,
        },
      });
    }

    await organiserStorage.queueBroadcastCopies(copies);
    for (const address of new Set(copies.map((copy) => copy.recipient.address))) void this.#context.host().deliver(address);
  }

  async #resolveAudience(audience: BroadcastAudience): Promise<ContactRecord[]> {
    const { storage, organiserStorage } = this.#context;
    const addresses = new Set(audience.addresses ?? []);
    for (const listId of audience.listIds) {
      for (const member of await organiserStorage.listMembers(listId)) addresses.add(member.address);
    }

    const contacts: ContactRecord[] = [];
    for (const address of addresses) {
      const contact = await storage.getContact(address);
      if (contact) contacts.push(contact);
    }

    return contacts.sort((a, b) => a.displayName.localeCompare(b.displayName));
  }
}

/** Returns 'pending' for a contact who may get broadcasts, else why not. */
export function exclusionOf(contact: ContactRecord): Exclude<RecipientOutcome, 'queued'> {
  if (contact.state === 'blocked') return 'blocked';
  if (contact.state !== 'contact') return 'not-accepted';
  if (contact.optedOutAt !== undefined) return 'opted-out';

  return 'pending';
}

function previewRow(template: Template, contact: ContactRecord, fallbacks: PlaceholderFallbacks): PreviewRow {
  const outcome = exclusionOf(contact);
  const row: PreviewRow = { address: contact.address, displayName: contact.displayName, outcome };
  if (outcome === 'pending') row.text = renderTemplate(template, valuesForName(contact.displayName), fallbacks);

  return row;
}
