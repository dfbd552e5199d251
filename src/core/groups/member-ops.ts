/**
 * Log operations that a member signs for themself instead of an admin:
 *
 * - `leave`: the author leaves the group. It counts as a removal of the author, so the admins
 *   issue a new key to the rest, and it records the author's last sequence number.
 * - `rotate`: the author is the new key of a member who rotated their keys. The entry carries
 *   the rotation statement signed by the old and the new key (key-rotation.ts), so members
 *   follow the change without asking the user. It removes the old address, adds the new one
 *   with its card, and keeps the admin role when the old address held it.
 */

import { addressFromSigningKey } from '../address.ts';
import { fromBase64Url } from '../bytes.ts';
import type { WireCard } from '../card.ts';
import { verifyRotation } from '../key-rotation.ts';
import type { WireRotation } from '../rotation-wire.ts';
import { parseWireRotation, RotationError } from '../rotation-wire.ts';
import { GroupDataError } from './group-errors.ts';

export type MemberOp =
  | { k: 'leave'; lastSeq: number }
  | { k: 'rotate'; rotation: WireRotation; card: WireCard; lastSeq: number; admin: boolean };

/** The part of a group state that decides whether a member may sign an entry. */
interface MemberView {
  members: Set<string>;
  admins: Set<string>;
}

/** Returns the address whose keys a rotation statement retires, without checking its signatures. */
export function oldAddressOf(rotation: WireRotation): string {
  return addressFromSigningKey(fromBase64Url(rotation.oldKey));
}

/**
 * Checks that `author` may sign `op` in the state of the entry's ancestors.
 * @throws GroupDataError naming what does not hold.
 */
export function checkMemberOp(op: MemberOp, author: string, before: MemberView): void {
  if (op.k === 'leave') {
    if (!before.members.has(author)) throw new GroupDataError('leave entry author is not a member');
    return;
  }

  const oldAddress = oldAddressOf(op.rotation);
  if (addressFromSigningKey(fromBase64Url(op.rotation.newKey)) !== author) throw new GroupDataError('rotation entry author is not the new key');
  if (op.card.signingKey !== op.rotation.newKey) throw new GroupDataError('rotation entry card is not its author\'s');
  if (!before.members.has(oldAddress)) throw new GroupDataError('rotation entry names someone who is not a member');
  if (before.members.has(author)) throw new GroupDataError('rotation entry author is already a member');
  if (op.admin && !before.admins.has(oldAddress)) throw new GroupDataError('rotation entry claims an admin role the old key did not hold');
}

/**
 * Checks both signatures of the rotation statement in a rotate entry. The issue time is not
 * compared with a clock, since the log orders entries by their parents.
 * @throws GroupDataError when the statement is invalid.
 */
export function checkRotationStatement(op: MemberOp): void {
  if (op.k !== 'rotate') return;

  try {
    verifyRotation(op.rotation, Number.MAX_SAFE_INTEGER);
  } catch (error) {
    throw new GroupDataError('rotation entry has an invalid rotation statement', { cause: error });
  }
}

/**
 * Parses the shape of a member operation.
 * @throws GroupDataError naming the first invalid field.
 */
export function parseMemberOp(op: Record<string, unknown>, parseCard: (input: unknown) => WireCard): MemberOp {
  const lastSeq = op.lastSeq;
  if (typeof lastSeq !== 'number' || !Number.isSafeInteger(lastSeq) || lastSeq < 0) throw new GroupDataError(`${String(op.k)} sequence number is invalid`);
  if (op.k === 'leave') return { k: 'leave', lastSeq };

  if (typeof op.admin !== 'boolean') throw new GroupDataError('rotation entry admin flag is invalid');
  let rotation: WireRotation;
  try {
    rotation = parseWireRotation(op.rotation);
  } catch (error) {
    if (!(error instanceof RotationError)) throw error;
    throw new GroupDataError('rotation entry statement is invalid', { cause: error });
  }

  return { k: 'rotate', rotation, card: parseCard(op.card), lastSeq, admin: op.admin };
}

/** Canonical form of a member operation for the entry's signed bytes. */
export function canonicalMemberOp(op: MemberOp, canonicalCard: (card: WireCard) => unknown[]): unknown[] {
  if (op.k === 'leave') return [op.k, op.lastSeq];

  const { rotation } = op;

  return [op.k, [rotation.v, rotation.oldKey, rotation.newKey, rotation.issuedAt, rotation.oldSignature, rotation.newSignature], canonicalCard(op.card), op.lastSeq, op.admin];
}
