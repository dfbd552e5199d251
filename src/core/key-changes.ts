/**
 * What happens when a contact's key changes, on the receiving side. An address is its key, so
 * there are two cases, and neither is ever silent:
 *
 * - A rotation statement (key-rotation.ts) arrives from the new key, signed by the old one.
 *   Once verified, sending to the old address pauses and the chat asks the user to accept the
 *   new key, which moves the conversation to the new address, or to reject it.
 * - A new identity only claims a known contact's name (name-claims.ts). Sending to it pauses
 *   until the user accepts it as a separate contact or links it to the contact it names.
 *
 * Either way a contact the user had verified is no longer verified afterwards.
 */

import type { Card } from './card.ts';
import type { VerifiedRotation } from './key-rotation.ts';
import { RotationError, RotationReplayError, verifyRotation } from './key-rotation.ts';
import type { ChatPayload } from './messages.ts';
import type { Clock, Logger } from './ports.ts';
import type { ContactRecord, CoreStorage } from './storage-port.ts';

/** Counters of rotation statements that were dropped, for the UI and tests. */
export interface KeyChangeStats {
  rejectedRotations: number;
  replayedRotations: number;
}

/** Thrown when the user acts on a key change that is not (or no longer) waiting for a decision. */
export class KeyChangeStateError extends Error {
  override name = 'KeyChangeStateError';
}

/** A chat payload sorted by whether its rotation statement held up. */
export interface ScreenedPayloads {
  /** Payloads to store: every chat message and each rotation that verified. */
  kept: ChatPayload[];
  /** Ids of rotation messages that were dropped; they are acknowledged so that nobody resends them. */
  droppedIds: string[];
  /** Verified rotations by message id, to apply once their messages are stored. */
  rotations: Map<string, VerifiedRotation>;
}

export interface KeyChangesOptions {
  /** Counters this module increments; the messenger passes its own stats object. */
  stats: KeyChangeStats;
  storage: CoreStorage;
  clock: Clock;
  logger: Logger;
}

export class KeyChanges {
  #options: KeyChangesOptions;

  constructor(options: KeyChangesOptions) {
    this.#options = options;
  }

  /**
   * Verifies the rotation statements among payloads from `sender`. A forged statement raises
   * RotationError and a replayed one RotationReplayError inside; both are counted, logged
   * without content and dropped.
   */
  async screen(sender: Card, payloads: ChatPayload[]): Promise<ScreenedPayloads> {
    const screened: ScreenedPayloads = { kept: [], droppedIds: [], rotations: new Map() };

    for (const payload of payloads) {
      if (!payload.rotation) {
        screened.kept.push(payload);
        continue;
      }

      try {
        screened.rotations.set(payload.id, await this.#check(sender, payload));
        screened.kept.push(payload);
      } catch (error) {
        if (!(error instanceof RotationError || error instanceof RotationReplayError)) throw error;
        this.#count(error, sender);
        screened.droppedIds.push(payload.id);
      }
    }

    return screened;
  }

  /**
   * Records a stored rotation: the old contact waits for the user's decision and loses its
   * verified mark, and the new identity is linked to it rather than flagged as a name claim.
   */
  async apply(rotation: VerifiedRotation): Promise<void> {
    const { storage, clock, logger } = this.#options;
    const old = await storage.getContact(rotation.oldAddress);
    if (!old || old.rotation?.issuedAt === rotation.issuedAt) return;

    await storage.updateContact(rotation.oldAddress, {
      rotation: {
        newAddress: rotation.newAddress,
        issuedAt: rotation.issuedAt,
        receivedAt: clock.now(),
        state: 'pending',
        wasVerified: old.verifiedAt !== undefined,
      },
      verifiedAt: undefined,
    });
    await storage.updateContact(rotation.newAddress, { rotatedFrom: rotation.oldAddress, claimsNameOf: undefined });
    logger.info('key rotation waits for the user', { peer: rotation.oldAddress.slice(0, 12), next: rotation.newAddress.slice(0, 12) });
  }

  /**
   * Accepts the pending key change of `oldAddress`: the conversation moves to the new address
   * with its history and waiting messages, the new contact starts unverified, and the old
   * address is retired (blocked). When the old key was verified, sending stays paused until
   * the new one is verified too. Returns the new address.
   * @throws KeyChangeStateError when no key change waits for this contact.
   */
  async accept(oldAddress: string): Promise<string> {
    const { storage } = this.#options;
    const old = await storage.getContact(oldAddress);
    const rotation = old?.rotation;
    if (!old || rotation?.state !== 'pending') throw new KeyChangeStateError('no key change waits for this contact');

    await this.#retire(old, rotation.newAddress, rotation.wasVerified, { rotation: { ...rotation, state: 'accepted' } });

    return rotation.newAddress;
  }

  /**
   * Rejects the pending key change of `oldAddress`: the new identity is blocked and sending to
   * the old address resumes. The old contact stays unverified.
   * @throws KeyChangeStateError when no key change waits for this contact.
   */
  async reject(oldAddress: string): Promise<void> {
    const { storage, logger } = this.#options;
    const old = await storage.getContact(oldAddress);
    const rotation = old?.rotation;
    if (rotation?.state !== 'pending') throw new KeyChangeStateError('no key change waits for this contact');

    await storage.updateContact(rotation.newAddress, { state: 'blocked' });
    await storage.updateContact(oldAddress, { rotation: { ...rotation, state: 'rejected' } });
    logger.info('key rotation rejected', { peer: oldAddress.slice(0, 12) });
  }

  /**
   * Links a new identity that claims a contact's name to that contact, on the user's word that
   * it is the same person: the claimed contact's conversation moves to it, as on accepting a
   * key change. Returns the address of the contact that was retired.
   * @throws KeyChangeStateError when the contact claims no other contact's name.
   */
  async linkNameClaim(address: string): Promise<string> {
    const { storage } = this.#options;
    const contact = await storage.getContact(address);
    const claimed = contact?.claimsNameOf === undefined ? undefined : await storage.getContact(contact.claimsNameOf);
    if (!claimed) throw new KeyChangeStateError('this contact claims no other contact name');

    await this.#retire(claimed, address, claimed.verifiedAt !== undefined, {});

    return claimed.address;
  }

  /**
   * Accepts a contact that claims another contact's name as a separate identity.
   * @throws KeyChangeStateError when the contact claims no other contact's name.
   */
  async acceptNameClaim(address: string): Promise<void> {
    const { storage, clock } = this.#options;
    const contact = await storage.getContact(address);
    if (contact?.claimsNameOf === undefined) throw new KeyChangeStateError('this contact claims no other contact name');

    await storage.updateContact(address, { nameClaimAcceptedAt: clock.now(), ...(contact.state === 'request' && { state: 'contact' }) });
  }

  /**
   * Resumes sending to a contact that waits for verification after a key change, on the
   * user's explicit choice to go on without comparing safety numbers.
   */
  async sendWithoutVerifying(address: string): Promise<void> {
    await this.#options.storage.updateContact(address, { isVerificationRequired: undefined });
  }

  async #retire(old: ContactRecord, newAddress: string, wasVerified: boolean, oldChanges: Partial<ContactRecord>): Promise<void> {
    const { storage, logger } = this.#options;

    await storage.mergeConversation(old.address, newAddress, {
      from: { ...oldChanges, state: 'blocked', movedTo: newAddress, verifiedAt: undefined },
      into: {
        state: 'contact',
        rotatedFrom: old.address,
        addedAt: old.addedAt,
        verifiedAt: undefined,
        claimsNameOf: undefined,
        nameClaimAcceptedAt: undefined,
        wrongKeyAt: undefined,
        isVerificationRequired: wasVerified || undefined,
      },
    });
    logger.info('conversation moved to a new key', { peer: old.address.slice(0, 12), next: newAddress.slice(0, 12) });
  }

  /**
   * Verifies one rotation from `sender`, which must be its new key, about a known contact, and
   * newer than any rotation recorded for that contact.
   */
  async #check(sender: Card, payload: ChatPayload): Promise<VerifiedRotation> {
    const rotation = verifyRotation(payload.rotation, this.#options.clock.now());
    if (rotation.newAddress !== sender.address) throw new RotationError('rotation did not come from its new key');

    const old = await this.#options.storage.getContact(rotation.oldAddress);
    if (!old || (old.state === 'blocked' && old.movedTo === undefined)) throw new RotationError('rotation names no known contact');

    const recorded = old.rotation;
    if (old.movedTo !== undefined || (recorded && rotation.issuedAt < recorded.issuedAt)) {
      throw new RotationReplayError('rotation is older than the key change already recorded');
    }
    if (recorded && rotation.issuedAt === recorded.issuedAt && (recorded.state !== 'pending' || recorded.newAddress !== rotation.newAddress)) {
      throw new RotationReplayError('rotation was already decided');
    }

    return rotation;
  }

  #count(error: RotationError | RotationReplayError, sender: Card): void {
    const fields = { peer: sender.address.slice(0, 12), error: error.name, reason: error.message };

    if (error instanceof RotationReplayError) {
      this.#options.stats.replayedRotations++;
      this.#options.logger.info('replayed rotation ignored', fields);
    } else {
      this.#options.stats.rejectedRotations++;
      this.#options.logger.warn('rotation rejected', fields);
    }
  }
}
