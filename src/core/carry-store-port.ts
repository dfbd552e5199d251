/**
 * Port to the carrier's storage: sealed envelopes that other peers handed over for someone else,
 * and the user's carrying setting. The app implements it on IndexedDB; tests use a fake in memory.
 */

import nacl from 'tweetnacl';
import { toBase64Url, utf8 } from './bytes.ts';

/** One envelope held for another peer. The carrier cannot open `envelope`. */
export interface CarriedEnvelope {
  /** Hash of the envelope bytes, which de-duplicates repeated hand-overs of the same envelope. */
  key: string;
  /** Routing tag of the recipient. */
  tag: string;
  /** Address of the peer that handed it over, whose quota it counts against. */
  handedBy: string;
  /** Hand-overs so far, the one to this carrier included. */
  hops: number;
  expiresAt: number;
  receivedAt: number;
  envelope: Uint8Array;
}

/** Limits of what one peer may leave with a carrier. */
export interface CarryQuota {
  maxEnvelopes: number;
  maxBytes: number;
}

export interface CarrySettings {
  /** Whether this user carries sealed envelopes that contacts hand over for other contacts. */
  carryForContacts: boolean;
}

/** Carrying is on unless the user turned it off; see PROTOCOL.md for the reasons. */
export const DEFAULT_CARRY_SETTINGS: CarrySettings = { carryForContacts: true };

/** A carrier has no room left for the envelopes of the peer that handed one over. */
export class CarrierQuotaError extends Error {
  override name = 'CarrierQuotaError';
}

export interface CarryStore {
  /**
   * Stores an envelope unless one with the same key is stored already.
   * @throws CarrierQuotaError when `handedBy` would go over `quota`; a storage error otherwise.
   */
  add(envelope: CarriedEnvelope, quota: CarryQuota): Promise<'stored' | 'duplicate'>;
  /** Envelopes with this routing tag that have not expired at `now`, oldest first. */
  listForTag(tag: string, now: number): Promise<CarriedEnvelope[]>;
  delete(keys: string[]): Promise<void>;
  /** Deletes every envelope that expired at or before `now` and returns how many. */
  deleteExpired(now: number): Promise<number>;
  loadSettings(): Promise<CarrySettings>;
  saveSettings(settings: CarrySettings): Promise<void>;
}

/**
 * Returns the routing tag of an address: the first 16 bytes of
 * SHA-512("meshtext carry tag v1\0" || address) in base64url. A carrier that knows the address
 * can compute it, which it must to recognise the recipient when they meet.
 */
export function carryTag(address: string): string {
  return toBase64Url(nacl.hash(utf8(`meshtext carry tag v1\0${address}`)).subarray(0, 16));
}

/** Returns the key under which a carrier de-duplicates an envelope. */
export function carriedEnvelopeKey(envelope: Uint8Array): string {
  return toBase64Url(nacl.hash(envelope).subarray(0, 24));
}
