/**
 * Name claims: a message request whose card carries the display name of an existing contact.
 * An address is its signing key, so a contact's key never changes in place. A card with a
 * known name from another address belongs to a different identity, and the app has to say so
 * before the user mistakes it for the contact they know. Display names are free text that
 * anyone can choose, so the name alone never links two identities.
 */

import type { Card } from './card.ts';
import type { ContactRecord, CoreStorage } from './storage-port.ts';

/** Strength of the warning that a contact is not the contact whose name it carries. */
export type NameClaimWarning = 'none' | 'claims-contact' | 'claims-verified-contact';

/** Thrown when a request that claims a contact's name is accepted without explicit confirmation. */
export class NameClaimConfirmationError extends Error {
  override name = 'NameClaimConfirmationError';
}

/**
 * Reduces a display name to the form used to compare names: Unicode NFKC (so full-width and
 * other compatibility forms match their plain letters), without format characters such as
 * zero-width spaces, with runs of white space collapsed, trimmed and lowercased.
 * NOTE: letters from other scripts that look alike (Cyrillic "о" for Latin "o") still differ.
 */
export function comparableName(displayName: string): string {
  return displayName.normalize('NFKC').replace(/\p{Cf}/gu, '').replace(/\s+/g, ' ').trim().toLowerCase();
}

/**
 * Finds the contact whose name `card` claims: an accepted contact at another address with the
 * same comparable name. Prefers a verified contact, then the one added first, so the warning
 * names the identity the user trusts most. Returns undefined when no contact matches.
 */
export function findClaimedContact(contacts: readonly ContactRecord[], card: Card): ContactRecord | undefined {
  const name = comparableName(card.displayName);
  const matches = contacts.filter(
    (contact) => contact.state === 'contact' && contact.address !== card.address && comparableName(contact.displayName) === name,
  );

  return matches.sort(byTrust)[0];
}

function byTrust(a: ContactRecord, b: ContactRecord): number {
  const verifiedFirst = Number(b.verifiedAt !== undefined) - Number(a.verifiedAt !== undefined);

  return verifiedFirst !== 0 ? verifiedFirst : a.addedAt - b.addedAt;
}

/**
 * Returns the `claimsNameOf` field for a contact that carries `card`: the address of the contact
 * whose name the card claims, or undefined, which clears an earlier claim on update.
 */
export async function nameClaimFields(storage: CoreStorage, card: Card): Promise<Pick<ContactRecord, 'claimsNameOf'>> {
  const claimed = findClaimedContact(await storage.listContacts(), card);

  return { claimsNameOf: claimed?.address };
}

/**
 * Decides which warning the chat with `contact` shows. `claimed` is the stored contact at
 * `contact.claimsNameOf`, if it still exists. The warning ends once the user has verified
 * `contact` itself, or when the claimed contact is gone or blocked.
 */
export function nameClaimWarning(contact: ContactRecord, claimed: ContactRecord | undefined): NameClaimWarning {
  if (contact.claimsNameOf === undefined || contact.verifiedAt !== undefined) return 'none';
  if (!claimed || claimed.address !== contact.claimsNameOf || claimed.state === 'blocked') return 'none';

  return claimed.verifiedAt === undefined ? 'claims-contact' : 'claims-verified-contact';
}

/**
 * Checks that a request may be accepted: one that claims a contact's name needs
 * `isNameClaimConfirmed`, which the UI sets only after the user confirmed a second time.
 * @throws NameClaimConfirmationError when that confirmation is missing.
 */
export function assertAcceptable(contact: ContactRecord | undefined, isNameClaimConfirmed: boolean): void {
  if (contact?.state !== 'request' || contact.claimsNameOf === undefined || isNameClaimConfirmed) return;

  throw new NameClaimConfirmationError(
    `the request from ${contact.address.slice(0, 12)} claims the name of another contact; confirm before accepting`,
  );
}
