/**
 * Builds the items a group chat shows: text messages with their sender's name and "read by"
 * list, and one line per membership change, ordered by the time they were stored here. Each
 * item's key is unique within the chat.
 */

import type { GroupRecord, LogRow } from '../../core/groups/group-types.ts';
import type { GroupMessageRow } from '../../core/groups/group-types.ts';
import { addressOfCard } from '../../core/groups/membership-log.ts';
import { oldAddressOf } from '../../core/groups/member-ops.ts';
import { t } from '../i18n/index.ts';
import { groupMessageKey } from './group-message-key.ts';

/** The stored rows of the part of a group chat held: text messages, read receipts and log entries. */
export interface GroupTimelineData {
  messages: GroupMessageRow[];
  reads: GroupMessageRow[];
  log: LogRow[];
}

export type TimelineItem =
  | { kind: 'message'; key: string; message: GroupMessageRow; senderName: string; isOwn: boolean; readBy: string[] }
  | { kind: 'event'; key: string; text: string; at: number };

export function buildTimeline(data: GroupTimelineData, group: GroupRecord | undefined, ownAddress: string | undefined): TimelineItem[] {
  const nameOf = (address: string, role: NameRole = 'subject'): string => {
    if (address === ownAddress) return t(role === 'object' ? 'groups.youObject' : 'groups.you');

    return group?.roster.find((member) => member.address === address)?.displayName ?? t('groups.someone');
  };
  const readers = new Map<string, Set<string>>();
  for (const row of data.reads) {
    if (row.kind !== 'read') continue;
    for (const id of row.readIds ?? []) {
      const set = readers.get(id) ?? new Set<string>();
      set.add(row.sender);
      readers.set(id, set);
    }
  }

  const items: Array<TimelineItem & { sortAt: number }> = [];
  for (const message of data.messages) {
    if (message.kind !== 'text') continue;
    items.push({
      kind: 'message',
      key: groupMessageKey(message),
      message,
      senderName: nameOf(message.sender),
      isOwn: message.sender === ownAddress,
      readBy: [...(readers.get(message.id) ?? [])].filter((address) => address !== message.sender).map((address) => nameOf(address)),
      sortAt: message.storedAt,
    });
  }
  for (const row of data.log) {
    items.push({ kind: 'event', key: `e:${row.hash}`, text: describeEntry(row, nameOf), at: row.entry.at, sortAt: row.storedAt });
  }

  return items.sort((a, b) => a.sortAt - b.sortAt);
}

/** Position of a name in a sentence, because English writes "You added" but "Alice added you". */
export type NameRole = 'subject' | 'object';

/** Describes a membership change in one line, naming people as the roster names them. */
export function describeEntry(row: LogRow, nameOf: (address: string, role?: NameRole) => string): string {
  const { op, author: authorAddress } = row.entry;
  const author = nameOf(authorAddress);

  switch (op.k) {
    case 'create':
      return t('groups.event.create', { author, name: op.name });
    case 'add':
      return t('groups.event.add', { author, names: op.cards.map((card) => nameOf(addressOfCard(card), 'object')).join(', ') });
    case 'remove':
      return t('groups.event.remove', { author, name: nameOf(op.member, 'object') });
    case 'admin':
      return t(op.isAdmin ? 'groups.event.adminOn' : 'groups.event.adminOff', { author, name: nameOf(op.member, 'object') });
    case 'rename':
      return t('groups.event.rename', { author, name: op.name });
    case 'mode':
      return t(op.announce ? 'groups.event.modeOn' : 'groups.event.modeOff', { author });
    case 'leave':
      return t('groups.event.leave', { author });
    case 'rotate':
      return t('groups.event.rotate', { name: nameOf(oldAddressOf(op.rotation)) });
  }
}
