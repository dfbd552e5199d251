/**
 * Console logger for one subsystem. Debug lines are off unless `localStorage.meshtextDebug` is
 * set to "1"; fields carry ids and counts, never message text or keys.
 */

import type { Logger } from '../core/ports.ts';

function isDebugEnabled(): boolean {
  try {
    return globalThis.localStorage?.getItem('meshtextDebug') === '1';
  } catch {
    return false;
  }
}

export function createLogger(subsystem: string): Logger {
  const prefix = `[meshtext:${subsystem}]`;
  const debug = isDebugEnabled();

  return {
    debug: (event, fields) => {
      if (debug) console.debug(prefix, event, fields ?? '');
    },
    info: (event, fields) => console.info(prefix, event, fields ?? ''),
    warn: (event, fields) => console.warn(prefix, event, fields ?? ''),
    error: (event, fields) => console.error(prefix, event, fields ?? ''),
  };
}
