/**
 * The membership log: entries signed by admins, each naming the hashes of the entries it
 * follows, so the log is a hash-linked graph. Admins who edit while apart make branches; every
 * device merges them the same way because the state depends only on the set of entries:
 *
 * - Someone is a member when an entry added them after every removal of them (in the sense of
 *   the parent links). An add concurrent with a removal therefore loses: removal wins.
 * - Someone is an admin when they are a member and a grant follows every revocation or removal.
 * - The name and the announcement mode come from the latest entry that sets them. Between
 *   concurrent ones, the later `at` wins, then the larger hash.
 * - An entry counts only when its author was an admin in the state of its own ancestors, which
 *   the receiver checks before storing it. The exceptions are the entries a member signs for
 *   themself (member-ops.ts): leaving, and moving their membership to a new key.
 * - A member's new key inherits every removal and revocation of the old key that the rotation
 *   does not follow, so a removal concurrent with a key rotation still wins. When one key was
 *   rotated twice on separate branches, neither new key is a member.
 * - When concurrent removals leave members but no admin (two admins who removed each other),
 *   the member added earliest becomes the admin: the add entry with the fewest ancestors, then
 *   the smaller address. Every device picks the same one.
 */

import nacl from 'tweetnacl';
import { addressFromSigningKey, isAddress, signingKeyFromAddress } from '../address.ts';
import { fromBase64Url, toBase64Url, utf8 } from '../bytes.ts';
import type { WireCard } from '../card.ts';
import { verifyCard } from '../card.ts';
import type { Identity } from '../identity.ts';
import { GroupDataError } from './group-errors.ts';
import { checkGroupName } from './group-names.ts';
import type { MemberOp } from './member-ops.ts';
import { canonicalMemberOp, checkMemberOp, checkRotationStatement, oldAddressOf, parseMemberOp } from './member-ops.ts';

export const LOG_VERSION = 1;
const ENTRY_LABEL = 'meshtext group log v1';
export const MAX_CARDS_PER_ADD = 32;
const MAX_PARENTS = 16;
const HASH_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const NONCE_PATTERN = /^[A-Za-z0-9_-]{22}$/;

export type GroupOp =
  | { k: 'create'; name: string; nonce: string; announce: boolean; card: WireCard }
  | { k: 'add'; cards: WireCard[] }
  | { k: 'remove'; member: string; lastSeq: number }
  | { k: 'admin'; member: string; isAdmin: boolean }
  | { k: 'rename'; name: string }
  | { k: 'mode'; announce: boolean }
  | MemberOp;

/** A log entry as it travels and is stored. `group` is empty in the create entry, whose hash is the group id. */
export interface WireEntry {
  v: number;
  group: string;
  parents: string[];
  author: string;
  at: number;
  op: GroupOp;
  sig: string;
}

type UnsignedEntry = Omit<WireEntry, 'sig'>;

/** The state of a group after a set of entries. */
export interface GroupState {
  name: string;
  isAnnouncement: boolean;
  members: Set<string>;
  admins: Set<string>;
  /** Latest card of everyone who was ever added. */
  cards: Map<string, WireCard>;
  /** Removal entries per address, with the last sequence number they accept from that address. */
  removals: Map<string, Array<{ hash: string; lastSeq: number }>>;
  /** Addresses that signed a leave entry. */
  leavers: Set<string>;
  /** New address to old address, for every key rotation a member recorded in the log. */
  predecessors: Map<string, string>;
}

/** Signs an entry and returns it with its hash. */
export function signEntry(identity: Identity, unsigned: Omit<UnsignedEntry, 'v' | 'author'>): { hash: string; entry: WireEntry } {
  const body: UnsignedEntry = { v: LOG_VERSION, ...unsigned, author: identity.address };
  const bytes = entryBytes(body);
  const sig = nacl.sign.detached(bytes, identity.signingSecretKey);

  return { hash: hashEntryBytes(bytes), entry: { ...body, sig: toBase64Url(sig) } };
}

/**
 * Parses an entry from a peer, checks its shape, its cards and its signature, and returns it in
 * canonical form with its hash. Costs one signature check (about 5.5 ms) plus one per added card.
 * @throws GroupDataError naming the first problem.
 */
export function verifyEntry(input: unknown): { hash: string; entry: WireEntry } {
  return checkEntrySignature(readEntry(input));
}

/** A parsed entry with its hash, whose signature and cards are not checked yet. */
export interface UncheckedEntry {
  hash: string;
  entry: WireEntry;
  bytes: Uint8Array;
}

/**
 * Parses an entry and computes its hash without checking signatures, so that a receiver can
 * skip an entry it already stored before paying for the checks.
 * @throws GroupDataError naming the first invalid field.
 */
export function readEntry(input: unknown): UncheckedEntry {
  const entry = parseEntry(input);
  const bytes = entryBytes(entry);

  return { hash: hashEntryBytes(bytes), entry, bytes };
}

/**
 * Checks the signature and cards of an entry from `readEntry`.
 * @throws GroupDataError when the signature or a card is invalid.
 */
export function checkEntrySignature({ hash, entry, bytes }: UncheckedEntry): { hash: string; entry: WireEntry } {
  const signature = decodeBytes(entry.sig, 'entry signature');

  let isValid = false;
  try {
    isValid = signature.length === 64 && nacl.sign.detached.verify(bytes, signature, signingKeyFromAddress(entry.author));
  } catch (error) {
    throw new GroupDataError('entry author is not a valid address', { cause: error });
  }
  if (!isValid) throw new GroupDataError('entry signature does not match its author');
  checkCards(entry.op);
  checkRotationStatement(entry.op as MemberOp);

  return { hash, entry };
}

function checkCards(op: GroupOp): void {
  let cards: WireCard[] = [];
  if (op.k === 'create') cards = [op.card];
  if (op.k === 'add') cards = op.cards;
  if (op.k === 'rotate') cards = [op.card];

  for (const card of cards) {
    try {
      verifyCard(card);
    } catch (error) {
      throw new GroupDataError('entry has an invalid card', { cause: error });
    }
  }
}

/**
 * A set of verified entries of one group with their ancestry, from which the state at any set
 * of heads is computed.
 */
export class MembershipLog {
  readonly entries = new Map<string, WireEntry>();
  readonly #ancestors = new Map<string, Set<string>>();
  #groupId: string | undefined;

  constructor(rows: Iterable<{ hash: string; entry: WireEntry }> = []) {
    const pending = [...rows];
    // Stored rows may come in any order; insert each one once its parents are in.
    let progressed = true;
    while (pending.length > 0 && progressed) {
      progressed = false;
      for (let i = pending.length - 1; i >= 0; i--) {
        const row = pending[i];
        if (row && row.entry.parents.every((parent) => this.entries.has(parent))) {
          this.#insert(row.hash, row.entry);
          pending.splice(i, 1);
          progressed = true;
        }
      }
    }
  }

  get groupId(): string | undefined {
    return this.#groupId;
  }

  has(hash: string): boolean {
    return this.entries.has(hash);
  }

  /**
   * Checks that a verified entry fits this log: its parents are known, it belongs to this group
   * and its author was an admin in the state of its ancestors. Adds it when it does.
   * @throws GroupDataError when it does not fit; the log is unchanged then.
   */
  accept(hash: string, entry: WireEntry): void {
    if (this.entries.has(hash)) return;

    if (entry.op.k === 'create') {
      if (this.#groupId !== undefined) throw new GroupDataError('log already has a create entry');
      if (entry.parents.length !== 0 || entry.group !== '') throw new GroupDataError('create entry must have no parents and no group');
      if (entry.op.card.signingKey !== toBase64Url(signingKeyFromAddress(entry.author))) throw new GroupDataError('create entry card is not its author\'s');
      this.#insert(hash, entry);
      return;
    }

    if (entry.group !== this.#groupId) throw new GroupDataError('entry belongs to another group');
    if (entry.parents.length === 0) throw new GroupDataError('entry names no parent');
    const missing = entry.parents.find((parent) => !this.entries.has(parent));
    if (missing) throw new GroupDataError('entry follows an unknown entry');

    const before = this.stateAt(entry.parents);
    if (entry.op.k === 'leave' || entry.op.k === 'rotate') {
      checkMemberOp(entry.op, entry.author, before);
      this.#insert(hash, entry);
      return;
    }
    if (!before.admins.has(entry.author)) throw new GroupDataError('entry author is not an admin');
    checkOpAgainst(entry.op, before);
    this.#insert(hash, entry);
  }

  /** Entries that no other entry names as a parent, sorted. */
  heads(): string[] {
    const named = new Set<string>();
    for (const entry of this.entries.values()) for (const parent of entry.parents) named.add(parent);

    return [...this.entries.keys()].filter((hash) => !named.has(hash)).sort();
  }

  /** Returns the hashes of `heads` and of all their ancestors. */
  past(heads: readonly string[]): Set<string> {
    const past = new Set<string>();

    for (const head of heads) {
      const ancestors = this.#ancestors.get(head);
      if (!ancestors) continue;
      past.add(head);
      for (const hash of ancestors) past.add(hash);
    }

    return past;
  }

  /** Entries in an order where every parent comes before its children, ties broken by hash. */
  ordered(): Array<{ hash: string; entry: WireEntry }> {
    return [...this.entries.entries()]
      .map(([hash, entry]) => ({ hash, entry, depth: this.#ancestors.get(hash)?.size ?? 0 }))
      .sort((a, b) => a.depth - b.depth || (a.hash < b.hash ? -1 : 1))
      .map(({ hash, entry }) => ({ hash, entry }));
  }

  /** Computes the state after every entry. */
  state(): GroupState {
    return this.stateAt(this.heads());
  }

  /** Computes the state after `heads` and their ancestors. */
  stateAt(heads: readonly string[]): GroupState {
    return stateOf(this.past(heads), this.entries, this.#ancestors);
  }

  #insert(hash: string, entry: WireEntry): void {
    const ancestors = new Set<string>();
    for (const parent of entry.parents) {
      ancestors.add(parent);
      for (const hashAbove of this.#ancestors.get(parent) ?? []) ancestors.add(hashAbove);
    }

    this.entries.set(hash, entry);
    this.#ancestors.set(hash, ancestors);
    if (entry.op.k === 'create') this.#groupId = hash;
  }
}

function checkOpAgainst(op: GroupOp, state: GroupState): void {
  switch (op.k) {
    case 'create':
    case 'add':
    case 'rename':
    case 'mode':
    case 'leave':
    case 'rotate':
      return;
    case 'remove':
    case 'admin':
      if (!state.members.has(op.member)) throw new GroupDataError(`entry names someone who is not a member`);
      return;
  }
}

function stateOf(past: Set<string>, entries: Map<string, WireEntry>, ancestors: Map<string, Set<string>>): GroupState {
  const adds = new Map<string, string[]>();
  const removes = new Map<string, string[]>();
  const grants = new Map<string, string[]>();
  const revokes = new Map<string, string[]>();
  const state: GroupState = {
    name: '',
    isAnnouncement: false,
    members: new Set(),
    admins: new Set(),
    cards: new Map(),
    removals: new Map(),
    leavers: new Set(),
    predecessors: new Map(),
  };
  const push = (map: Map<string, string[]>, key: string, hash: string): void => {
    const list = map.get(key);
    if (list) list.push(hash);
    else map.set(key, [hash]);
  };
  const namers: string[] = [];
  const moders: string[] = [];
  const rotationCounts = countRotations(past, entries);

  for (const hash of past) {
    const entry = entries.get(hash);
    if (!entry) continue;
    const op = entry.op;

    switch (op.k) {
      case 'create':
        push(adds, entry.author, hash);
        push(grants, entry.author, hash);
        state.cards.set(entry.author, op.card);
        namers.push(hash);
        moders.push(hash);
        break;
      case 'add':
        for (const card of op.cards) {
          const address = addressOfCard(card);
          push(adds, address, hash);
          state.cards.set(address, card);
        }
        break;
      case 'remove':
        push(removes, op.member, hash);
        push(revokes, op.member, hash);
        state.removals.set(op.member, [...(state.removals.get(op.member) ?? []), { hash, lastSeq: op.lastSeq }]);
        break;
      case 'admin':
        push(op.isAdmin ? grants : revokes, op.member, hash);
        break;
      case 'rename':
        namers.push(hash);
        break;
      case 'mode':
        moders.push(hash);
        break;
      case 'leave':
        push(removes, entry.author, hash);
        push(revokes, entry.author, hash);
        state.removals.set(entry.author, [...(state.removals.get(entry.author) ?? []), { hash, lastSeq: op.lastSeq }]);
        state.leavers.add(entry.author);
        break;
      case 'rotate': {
        const oldAddress = oldAddressOf(op.rotation);
        push(removes, oldAddress, hash);
        push(revokes, oldAddress, hash);
        state.removals.set(oldAddress, [...(state.removals.get(oldAddress) ?? []), { hash, lastSeq: op.lastSeq }]);
        state.cards.set(entry.author, op.card);
        // Two rotations of one key on separate branches mean someone else holds that key, and
        // nothing tells which new key is the owner's: neither becomes a member, and the old key
        // is out. An admin can add the right one.
        if ((rotationCounts.get(oldAddress) ?? 0) > 1) break;
        push(adds, entry.author, hash);
        if (op.admin) push(grants, entry.author, hash);
        state.predecessors.set(entry.author, oldAddress);
        break;
      }
    }
  }

  const follows = (later: string, earlier: string): boolean => ancestors.get(later)?.has(earlier) ?? false;
  // A rotate entry is both the removal of the old key and the add of the new one, so an event
  // never undoes itself.
  const survives = (events: string[] | undefined, undoers: string[]): boolean =>
    (events ?? []).some((event) => undoers.every((undoer) => undoer === event || follows(event, undoer)));
  const inherited = (map: Map<string, string[]>, address: string): string[] => {
    const undoers: string[] = [];
    const seen = new Set<string>();
    for (let current: string | undefined = address; current !== undefined && !seen.has(current); current = state.predecessors.get(current)) {
      seen.add(current);
      undoers.push(...(map.get(current) ?? []));
    }
    return undoers;
  };

  for (const address of adds.keys()) {
    if (survives(adds.get(address), inherited(removes, address))) state.members.add(address);
  }
  for (const address of state.members) {
    if (survives(grants.get(address), inherited(revokes, address))) state.admins.add(address);
  }
  if (state.admins.size === 0 && state.members.size > 0) {
    const fallback = earliestAdded(state.members, adds, ancestors);
    if (fallback) state.admins.add(fallback);
  }

  const nameEntry = latest(namers, entries, follows);
  if (nameEntry?.op.k === 'create' || nameEntry?.op.k === 'rename') state.name = nameEntry.op.name;
  const modeEntry = latest(moders, entries, follows);
  if (modeEntry?.op.k === 'create' || modeEntry?.op.k === 'mode') state.isAnnouncement = modeEntry.op.announce;

  return state;
}

/** Picks the entry that no other one follows; among concurrent ones the later `at`, then the larger hash. */
function latest(hashes: string[], entries: Map<string, WireEntry>, follows: (later: string, earlier: string) => boolean): WireEntry | undefined {
  const maximal = hashes.filter((hash) => !hashes.some((other) => other !== hash && follows(other, hash)));
  maximal.sort((a, b) => (entries.get(a)?.at ?? 0) - (entries.get(b)?.at ?? 0) || (a < b ? -1 : 1));
  const winner = maximal.at(-1);

  return winner === undefined ? undefined : entries.get(winner);
}

/** Counts the rotate entries per old address among the entries in `past`. */
function countRotations(past: Set<string>, entries: Map<string, WireEntry>): Map<string, number> {
  const counts = new Map<string, number>();

  for (const hash of past) {
    const op = entries.get(hash)?.op;
    if (op?.k !== 'rotate') continue;
    const oldAddress = oldAddressOf(op.rotation);
    counts.set(oldAddress, (counts.get(oldAddress) ?? 0) + 1);
  }

  return counts;
}

/** Picks the member whose earliest add entry has the fewest ancestors, then the smallest address. */
function earliestAdded(members: Set<string>, adds: Map<string, string[]>, ancestors: Map<string, Set<string>>): string | undefined {
  const ranked = [...members].map((address) => ({
    address,
    depth: Math.min(...(adds.get(address) ?? []).map((hash) => ancestors.get(hash)?.size ?? 0)),
  }));
  ranked.sort((a, b) => a.depth - b.depth || (a.address < b.address ? -1 : 1));

  return ranked[0]?.address;
}

const cardAddresses = new Map<string, string>();

/**
 * Returns the address a wire card belongs to, without checking its signature.
 * @throws RangeError or AddressError when the signing key is not 32 bytes of base64url.
 */
export function addressOfCard(card: WireCard): string {
  const cached = cardAddresses.get(card.signingKey);
  if (cached) return cached;

  const address = addressFromSigningKey(fromBase64Url(card.signingKey));
  cardAddresses.set(card.signingKey, address);

  return address;
}

/** Canonical bytes that an entry's signature and hash cover: a JSON array in fixed order. */
function entryBytes(entry: UnsignedEntry): Uint8Array {
  return utf8(JSON.stringify([ENTRY_LABEL, entry.v, entry.group, entry.parents, entry.author, entry.at, canonicalOp(entry.op)]));
}

function canonicalOp(op: GroupOp): unknown[] {
  switch (op.k) {
    case 'create':
      return [op.k, op.name, op.nonce, op.announce, canonicalCard(op.card)];
    case 'add':
      return [op.k, op.cards.map(canonicalCard)];
    case 'remove':
      return [op.k, op.member, op.lastSeq];
    case 'admin':
      return [op.k, op.member, op.isAdmin];
    case 'rename':
      return [op.k, op.name];
    case 'mode':
      return [op.k, op.announce];
    case 'leave':
    case 'rotate':
      return canonicalMemberOp(op, canonicalCard);
  }
}

function canonicalCard(card: WireCard): unknown[] {
  return [card.v, card.name, card.signingKey, card.boxKey, card.signature];
}

function hashEntryBytes(bytes: Uint8Array): string {
  return toBase64Url(nacl.hash(bytes).subarray(0, 32));
}

function decodeBytes(text: string, what: string): Uint8Array {
  try {
    return fromBase64Url(text);
  } catch (error) {
    throw new GroupDataError(`${what} is not base64url`, { cause: error });
  }
}

function parseEntry(input: unknown): WireEntry {
  if (typeof input !== 'object' || input === null) throw new GroupDataError('entry is not an object');

  const { v, group, parents, author, at, op, sig } = input as Record<string, unknown>;
  if (v !== LOG_VERSION) throw new GroupDataError(`unsupported entry version ${String(v)}, expected ${LOG_VERSION}`);
  if (typeof group !== 'string' || (group !== '' && !HASH_PATTERN.test(group))) throw new GroupDataError('entry group is invalid');
  if (!Array.isArray(parents) || parents.length > MAX_PARENTS || !parents.every((parent) => typeof parent === 'string' && HASH_PATTERN.test(parent))) {
    throw new GroupDataError('entry parents are invalid');
  }
  if (!isAddress(author)) throw new GroupDataError('entry author is not an address');
  if (typeof at !== 'number' || !Number.isSafeInteger(at) || at < 0) throw new GroupDataError('entry time is invalid');
  if (typeof sig !== 'string') throw new GroupDataError('entry signature is missing');

  return { v, group, parents: [...(parents as string[])], author, at, op: parseOp(op), sig };
}

function parseOp(input: unknown): GroupOp {
  if (typeof input !== 'object' || input === null) throw new GroupDataError('entry operation is not an object');

  const op = input as Record<string, unknown>;
  switch (op.k) {
    case 'create': {
      if (typeof op.nonce !== 'string' || !NONCE_PATTERN.test(op.nonce)) throw new GroupDataError('create nonce is invalid');
      if (typeof op.announce !== 'boolean') throw new GroupDataError('create mode is invalid');
      return { k: 'create', name: parseName(op.name), nonce: op.nonce, announce: op.announce, card: parseCardShape(op.card) };
    }
    case 'add': {
      if (!Array.isArray(op.cards) || op.cards.length === 0 || op.cards.length > MAX_CARDS_PER_ADD) throw new GroupDataError('added cards are invalid');
      return { k: 'add', cards: op.cards.map(parseCardShape) };
    }
    case 'remove': {
      if (!isAddress(op.member)) throw new GroupDataError('removed member is not an address');
      if (typeof op.lastSeq !== 'number' || !Number.isSafeInteger(op.lastSeq) || op.lastSeq < 0) throw new GroupDataError('removal sequence number is invalid');
      return { k: 'remove', member: op.member, lastSeq: op.lastSeq };
    }
    case 'admin': {
      if (!isAddress(op.member)) throw new GroupDataError('admin change names no address');
      if (typeof op.isAdmin !== 'boolean') throw new GroupDataError('admin change is invalid');
      return { k: 'admin', member: op.member, isAdmin: op.isAdmin };
    }
    case 'rename':
      return { k: 'rename', name: parseName(op.name) };
    case 'mode': {
      if (typeof op.announce !== 'boolean') throw new GroupDataError('mode change is invalid');
      return { k: 'mode', announce: op.announce };
    }
    case 'leave':
    case 'rotate':
      return parseMemberOp(op, parseCardShape);
    default:
      throw new GroupDataError(`unknown entry operation ${JSON.stringify(op.k)}`);
  }
}

function parseName(name: unknown): string {
  try {
    return checkGroupName(name);
  } catch (error) {
    throw new GroupDataError('group name is invalid', { cause: error });
  }
}

function parseCardShape(input: unknown): WireCard {
  if (typeof input !== 'object' || input === null) throw new GroupDataError('card is not an object');

  const { v, name, signingKey, boxKey, signature } = input as Record<string, unknown>;
  if (typeof v !== 'number' || typeof name !== 'string' || typeof signingKey !== 'string' || typeof boxKey !== 'string' || typeof signature !== 'string') {
    throw new GroupDataError('card fields are missing');
  }

  return { v, name, signingKey, boxKey, signature };
}
