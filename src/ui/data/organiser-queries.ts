/** Reads behind the organiser's screens: lists, broadcasts, blocked contacts and the own profile. */

import Dexie from 'dexie';
import type { BroadcastRecipient, BroadcastRecord, ContactList, OwnProfile } from '../../core/organiser/organiser-storage.ts';
import type { ContactRecord, MessageStatus } from '../../core/storage-port.ts';
import type { MeshtextDatabase } from '../../storage/database.ts';
import { IDENTITY_KEY } from '../../storage/database.ts';

export interface ListWithMembers {
  list: ContactList;
  /** Members that are still stored contacts, by name. */
  members: ContactRecord[];
}

/** One recipient's line in a broadcast report. */
export interface RecipientReport {
  recipient: BroadcastRecipient;
  /** Status of the queued copy, when there is one. */
  copyStatus: MessageStatus | undefined;
  /** True when the contact has opted out of broadcasts now, whatever happened to this copy. */
  hasOptedOut: boolean;
}

export interface BroadcastReport {
  broadcast: BroadcastRecord;
  recipients: RecipientReport[];
}

export async function listContactLists(db: MeshtextDatabase): Promise<ListWithMembers[]> {
  const lists = await db.contactLists.toArray();
  const members = await db.listMembers.toArray();
  const contacts = new Map((await db.contacts.toArray()).map((contact) => [contact.address, contact]));

  return lists
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((list) => ({
      list,
      members: members
        .filter((member) => member.list === list.id)
        .map((member) => contacts.get(member.address))
        .filter((contact): contact is ContactRecord => contact !== undefined)
        .sort((a, b) => a.displayName.localeCompare(b.displayName)),
    }));
}

/** Lists accepted contacts by name, for picking list members. */
export async function listAcceptedContacts(db: MeshtextDatabase): Promise<ContactRecord[]> {
  const contacts = await db.contacts.where('state').equals('contact').toArray();

  return contacts.sort((a, b) => a.displayName.localeCompare(b.displayName));
}

export async function listBlockedContacts(db: MeshtextDatabase): Promise<ContactRecord[]> {
  const contacts = await db.contacts.where('state').equals('blocked').toArray();

  return contacts.sort((a, b) => a.displayName.localeCompare(b.displayName));
}

export async function getBroadcastReport(db: MeshtextDatabase, id: string): Promise<BroadcastReport | undefined> {
  const broadcast = await db.broadcasts.get(id);
  if (!broadcast) return undefined;

  const recipients = await db.broadcastRecipients.where('[broadcast+address]').between([id, Dexie.minKey], [id, Dexie.maxKey]).toArray();
  const messages = await db.messages.bulkGet(recipients.map((recipient) => recipient.messageId ?? ''));
  const contacts = await db.contacts.bulkGet(recipients.map((recipient) => recipient.address));

  return {
    broadcast,
    recipients: recipients
      .map((recipient, index) => ({
        recipient,
        copyStatus: messages[index]?.status,
        hasOptedOut: contacts[index]?.optedOutAt !== undefined,
      }))
      .sort((a, b) => a.recipient.displayName.localeCompare(b.recipient.displayName)),
  };
}

export async function getOwnProfile(db: MeshtextDatabase): Promise<OwnProfile | undefined> {
  const row = await db.ownProfile.get(IDENTITY_KEY);

  return row && { status: row.status, avatar: row.avatar, updatedAt: row.updatedAt };
}
