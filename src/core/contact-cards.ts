/** Conversions between verified cards and stored contact records. */

import type { Card } from './card.ts';
import type { ContactRecord } from './storage-port.ts';

export function cardFields(card: Card): Pick<ContactRecord, 'displayName' | 'signingPublicKey' | 'boxPublicKey' | 'card'> {
  return {
    displayName: card.displayName,
    signingPublicKey: card.signingPublicKey,
    boxPublicKey: card.boxPublicKey,
    card: card.wire,
  };
}

export function contactFromCard(card: Card, now: number): ContactRecord {
  return { address: card.address, ...cardFields(card), state: 'contact', addedAt: now, lastActivityAt: now, unreadCount: 0 };
}

export function cardFromContact(contact: ContactRecord): Card {
  return {
    address: contact.address,
    displayName: contact.displayName,
    signingPublicKey: contact.signingPublicKey,
    boxPublicKey: contact.boxPublicKey,
    wire: contact.card,
  };
}
