/**
 * Ports through which the core reaches the outside world. The app wires IndexedDB and PeerJS
 * adapters; unit tests wire in-memory fakes.
 */

/** Source of time, so tests can control it. */
export interface Clock {
  now(): number;
}

/** Source of cryptographically secure random bytes. */
export type RandomBytes = (length: number) => Uint8Array;

/** Subsystem logger. Fields hold ids, states and counts, never message text or keys. */
export interface Logger {
  debug(event: string, fields?: Record<string, unknown>): void;
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

export const systemClock: Clock = { now: () => Date.now() };

export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};
