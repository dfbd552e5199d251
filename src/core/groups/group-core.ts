/**
 * State and steps shared by group actions and group sync: the identity and the pair keys. After
 * every change of a group's log or bundles, `settle` issues a key bundle when this device is an
 * admin and the members have none, then stores the derived group record.
 */

import type { Identity } from '../identity.ts';
import type { Clock, Logger, RandomBytes } from '../ports.ts';
import type { GroupContext } from './group-context.ts';
import { deriveRecord, loadGroupContext, needsNewBundle } from './group-context.ts';
import type { GroupRecord, GroupStorage } from './group-types.ts';
import { createBundle } from './key-bundle.ts';
import type { GroupOp } from './membership-log.ts';
import { signEntry } from './membership-log.ts';
import { PairKeys } from './pair-keys.ts';

export interface GroupCoreOptions {
  storage: GroupStorage;
  identity: () => Identity;
  clock: Clock;
  randomBytes: RandomBytes;
  logger: Logger;
}

export class GroupCore {
  readonly storage: GroupStorage;
  readonly clock: Clock;
  readonly randomBytes: RandomBytes;
  readonly logger: Logger;
  readonly #identity: () => Identity;
  #pairKeys: PairKeys | undefined;
  #pairKeysOwner: string | undefined;

  constructor(options: GroupCoreOptions) {
    this.storage = options.storage;
    this.clock = options.clock;
    this.randomBytes = options.randomBytes;
    this.logger = options.logger;
    this.#identity = options.identity;
  }

  get identity(): Identity {
    return this.#identity();
  }

  /**
   * Pair keys of the current identity, cached for as long as the identity stays the same. The
   * ones stored earlier are loaded by `load`, which every action and sync batch calls first.
   */
  get pairKeys(): PairKeys {
    const identity = this.identity;
    if (!this.#pairKeys || this.#pairKeysOwner !== identity.address) {
      this.#pairKeys = new PairKeys(identity.boxSecretKey);
      this.#pairKeysOwner = identity.address;
    }

    return this.#pairKeys;
  }

  async load(group: string): Promise<GroupContext> {
    await this.#loadPairKeys();

    return loadGroupContext(this.storage, group);
  }

  /** Stores the pair keys computed since the last call. */
  async savePairKeys(): Promise<void> {
    if (!this.#pairKeys) return;

    const owner = this.identity.address;
    const rows = this.#pairKeys.takeUnsaved().map((pair) => ({ owner, ...pair }));
    if (rows.length > 0) await this.storage.putPairKeys(rows);
  }

  async #loadPairKeys(): Promise<void> {
    const identity = this.identity;
    if (this.#pairKeys && this.#pairKeysOwner === identity.address) return;

    const stored = await this.storage.listPairKeys(identity.address);
    if (this.#pairKeys && this.#pairKeysOwner === identity.address) return;
    this.#pairKeys = new PairKeys(identity.boxSecretKey, stored);
    this.#pairKeysOwner = identity.address;
  }

  /** Signs an entry after the current heads, stores it and returns the updated context. */
  async appendEntry(context: GroupContext, op: GroupOp): Promise<GroupContext> {
    const { hash, entry } = signEntry(this.identity, { group: context.group, parents: context.log.heads(), at: this.clock.now(), op });
    context.log.accept(hash, entry);
    await this.storage.addLogEntries([{ group: context.group, hash, entry, storedAt: this.clock.now() }]);

    return { ...context, state: context.log.state() };
  }

  /**
   * Issues a bundle when this device is an admin and the current members have none, then stores
   * the derived record. Returns the record.
   */
  async settle(context: GroupContext): Promise<GroupRecord> {
    const identity = this.identity;

    if (context.state.admins.has(identity.address) && needsNewBundle(context)) {
      const members = new Map([...context.state.members].map((address) => [address, context.state.cards.get(address)!]));
      const { bundle, key } = createBundle(identity, this.pairKeys, this.randomBytes, {
        group: context.group,
        heads: context.log.heads(),
        at: this.clock.now(),
        members,
      });
      const row = { group: context.group, id: bundle.id, bundle, key, storedAt: this.clock.now() };
      await this.storage.putBundle(row);
      context.bundles.set(row.id, row);
      this.logger.info('group key issued', { group: context.group.slice(0, 8), members: members.size });
    }

    await this.savePairKeys();
    const fresh = await this.storage.getGroup(context.group);
    const record = deriveRecord({ ...context, record: fresh ?? context.record }, identity.address, this.clock.now());
    await this.storage.putGroup(record);

    return record;
  }
}
