import nacl from 'tweetnacl';
import { signCard } from '../../src/core/card.ts';
import type { Card } from '../../src/core/card.ts';
import { verifyCard } from '../../src/core/card.ts';
import { createIdentity } from '../../src/core/identity.ts';
import type { Identity } from '../../src/core/identity.ts';

export const randomBytes = (length: number): Uint8Array => nacl.randomBytes(length);

export interface TestUser {
  identity: Identity;
  card: Card;
}

/** Creates an identity with a verified card, as an invite would deliver it. */
export function makeUser(name: string): TestUser {
  const identity = createIdentity(name, randomBytes, 1_700_000_000_000);

  return { identity, card: verifyCard(signCard(identity)) };
}
