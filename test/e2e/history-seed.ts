/**
 * Fills a user's IndexedDB with a long conversation, far faster than sending each message. The
 * contact comes through the app's own invite import. The messages go into the messages table in
 * large bulkAdd transactions, through the app's debugging handle `globalThis.meshtext`, and the
 * app's table hooks index their words as for any other write. The contact's seqs go into the
 * received table, as if each message had arrived.
 *
 * Text comes from a fixed pseudo-random stream over a vocabulary of 512 made-up words, eight
 * words a message, so every word occurs in roughly 1.5 % of the messages and runs are
 * repeatable. Words of the vocabulary are 3 to 9 letters from the syllables below, and never
 * the words of a needle made of ordinary English words.
 */

import type { Page } from '@playwright/test';
import nacl from 'tweetnacl';
import { signCard } from '../../src/core/card.ts';
import { createIdentity } from '../../src/core/identity.ts';
import { createInviteLink } from '../../src/core/invite.ts';

export interface SeedOptions {
  contactName: string;
  count: number;
  /** Texts placed at given positions (0 is the oldest message) instead of generated ones. */
  needles?: Record<number, string>;
  /** Rows per IndexedDB transaction. */
  batchSize?: number;
}

/** The seeded contact and the time span of its messages. */
export interface SeededConversation {
  address: string;
  firstStoredAt: number;
  lastStoredAt: number;
}

interface PageSeedInput {
  inviteLink: string;
  contactAddress: string;
  /** Set to seed group messages into this group instead of a one-to-one conversation. */
  group?: { id: string; senders: string[] };
  count: number;
  needles: Record<number, string>;
  batchSize: number;
  firstStoredAt: number;
  spacingMs?: number;
}

interface SeedHandle {
  ownAddress: string;
  messenger: { addContactFromInvite(link: string): Promise<unknown> };
  db: {
    messages: { bulkAdd(rows: unknown[]): Promise<unknown> };
    groupMessages: { bulkAdd(rows: unknown[]): Promise<unknown> };
    received: { put(row: unknown): Promise<unknown> };
  };
}

/** Adds a contact and `count` messages with it to the app in `page`, which must have an identity. */
export async function seedConversation(page: Page, options: SeedOptions): Promise<SeededConversation> {
  const contact = createIdentity(options.contactName, nacl.randomBytes, Date.now());
  const inviteLink = createInviteLink('http://seed.invalid/', signCard(contact), contact.address, []);
  const firstStoredAt = Date.now() - options.count * 1000;

  await page.evaluate(seedInPage, {
    inviteLink,
    contactAddress: contact.address,
    count: options.count,
    needles: options.needles ?? {},
    batchSize: options.batchSize ?? 5_000,
    firstStoredAt,
  } satisfies PageSeedInput);

  return { address: contact.address, firstStoredAt, lastStoredAt: firstStoredAt + (options.count - 1) * 1000 };
}

export interface GroupSeedOptions {
  /** Id of a group stored in the app. */
  group: string;
  /** Addresses whose messages these are, taking turns; the first gets every third message. */
  senders: string[];
  count: number;
  /** storedAt of the oldest message; the others follow `spacingMs` apart. */
  firstStoredAt: number;
  spacingMs?: number;
  needles?: Record<number, string>;
  batchSize?: number;
}

/** Adds `count` text messages to a group in the app in `page`, as if each had arrived. */
export async function seedGroupMessages(page: Page, options: GroupSeedOptions): Promise<void> {
  await page.evaluate(seedInPage, {
    inviteLink: '',
    contactAddress: '',
    group: { id: options.group, senders: options.senders },
    count: options.count,
    needles: options.needles ?? {},
    batchSize: options.batchSize ?? 5_000,
    firstStoredAt: options.firstStoredAt,
    spacingMs: options.spacingMs ?? 1000,
  } satisfies PageSeedInput);
}

/** Runs in the page: writes the generated rows in batches through the app's debugging handle. */
async function seedInPage(input: PageSeedInput): Promise<void> {
  const app = (globalThis as unknown as { meshtext: SeedHandle }).meshtext;
  const syllables = ['ka', 'lo', 'mi', 'ren', 'tu', 'sa', 'vel', 'or', 'ni', 'pax', 'qui', 'zo', 'bre', 'dun', 'fa', 'hil'];
  const vocabulary: string[] = [];
  for (let index = 0; index < 512; index++) {
    vocabulary.push(syllables[index % 16]! + syllables[(index >> 4) % 16]! + (index >= 256 ? syllables[(index * 7) % 16]! : ''));
  }
  let state = 0x2545f491;
  const nextRandom = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;

    return (state >>> 0) % vocabulary.length;
  };

  if (input.group) {
    const { id: group, senders } = input.group;
    const seqs = new Map<string, number>();
    for (let start = 0; start < input.count; start += input.batchSize) {
      const rows = [];
      for (let index = start; index < Math.min(input.count, start + input.batchSize); index++) {
        const sender = senders[index % 3 === 0 ? 0 : 1 + (index % Math.max(1, senders.length - 1))] ?? senders[0]!;
        const seq = (seqs.get(sender) ?? 0) + 1;
        seqs.set(sender, seq);
        const words = Array.from({ length: 8 }, () => vocabulary[nextRandom()]);
        const storedAt = input.firstStoredAt + index * (input.spacingMs ?? 1000);
        rows.push({
          group,
          id: `seed-group-${index.toString(36).padStart(8, '0')}`,
          sender,
          seq,
          epoch: 'seeded-epoch',
          sentAt: storedAt,
          storedAt,
          kind: 'text',
          text: input.needles[index] ?? `${words.join(' ')} #${index}`,
          wire: { v: 1, group, epoch: 'seeded-epoch', sender, seq, nonce: '', ct: '', tags: '' },
        });
      }
      await app.db.groupMessages.bulkAdd(rows);
    }
    return;
  }

  await app.messenger.addContactFromInvite(input.inviteLink);
  // Each sender numbers its own messages 1, 2, 3, … as a real install does.
  let ownSeq = 0;
  let theirSeq = 0;
  for (let start = 0; start < input.count; start += input.batchSize) {
    const rows = [];
    for (let index = start; index < Math.min(input.count, start + input.batchSize); index++) {
      const isOwn = index % 3 === 0;
      const seq = isOwn ? ++ownSeq : ++theirSeq;
      const words = Array.from({ length: 8 }, () => vocabulary[nextRandom()]);
      const storedAt = input.firstStoredAt + index * 1000;
      rows.push({
        id: `seed-${index.toString(36).padStart(8, '0')}`,
        conversation: input.contactAddress,
        direction: isOwn ? 'out' : 'in',
        sender: isOwn ? app.ownAddress : input.contactAddress,
        instance: 'seeded-history',
        seq,
        text: input.needles[index] ?? `${words.join(' ')} #${index}`,
        sentAt: storedAt,
        storedAt,
        status: isOwn ? 'delivered' : 'received',
      });
    }
    await app.db.messages.bulkAdd(rows);
  }
  // The record of received seqs, as storing the contact's messages one by one would leave it.
  if (theirSeq > 0) {
    await app.db.received.put({ conversation: input.contactAddress, sender: input.contactAddress, instance: 'seeded-history', ranges: [[1, theirSeq]] });
  }
}

/** The ids that seeding messages into a group needs. */
export interface CreatedGroup {
  id: string;
  ownAddress: string;
  /** Roster addresses other than the own one. */
  memberAddresses: string[];
  createdAt: number;
}

/** Creates a group through the app's dialog with the named contacts, and returns its ids. */
export async function createGroup(page: Page, name: string, memberNames: string[]): Promise<CreatedGroup> {
  await page.getByRole('button', { name: 'New group' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('textbox', { name: 'Group name' }).fill(name);
  for (const memberName of memberNames) await dialog.getByRole('checkbox', { name: memberName }).check();
  await dialog.getByRole('button', { name: 'Create group' }).click();
  await dialog.waitFor({ state: 'hidden' });

  return page.evaluate(async (groupName) => {
    interface Handle {
      ownAddress: string;
      db: { groups: { toArray(): Promise<Array<{ id: string; name: string; createdAt: number; roster: Array<{ address: string }> }>> } };
    }
    const app = (globalThis as unknown as { meshtext: Handle }).meshtext;
    const group = (await app.db.groups.toArray()).find((row) => row.name === groupName);
    if (!group) throw new Error(`group "${groupName}" not found after creating it`);

    return {
      id: group.id,
      ownAddress: app.ownAddress,
      memberAddresses: group.roster.map((member) => member.address).filter((address) => address !== app.ownAddress),
      createdAt: group.createdAt,
    };
  }, name);
}
