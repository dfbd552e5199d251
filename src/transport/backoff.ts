/** Reconnect delays: exponential from 500 ms up to 15 s, with up to 30 % random jitter. */

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 15_000;

export function nextBackoffMs(attempt: number, random: () => number = Math.random): number {
  const delay = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.min(attempt, 10));

  return Math.round(delay * (1 - 0.3 * random()));
}
