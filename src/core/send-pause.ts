/**
 * The rule that pauses sending after a key change, kept apart from key-changes.ts so that the
 * send path and the chat view load without the rotation code.
 */

import type { ContactRecord } from './storage-port.ts';

/**
 * Tells whether sending to a contact waits for the user. It does while a key change is
 * pending, while a conversation that moved here from a verified key waits for this key to be
 * verified, and while the contact claims another contact's name and the user has neither
 * accepted nor verified it.
 */
export function isSendingPaused(contact: ContactRecord | undefined): boolean {
  if (!contact) return false;
  if (contact.rotation?.state === 'pending') return true;
  if (contact.isVerificationRequired === true && contact.verifiedAt === undefined) return true;

  return contact.claimsNameOf !== undefined && contact.verifiedAt === undefined && contact.nameClaimAcceptedAt === undefined;
}
