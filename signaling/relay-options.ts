/**
 * Options of `startRelay`, their defaults and their validation.
 */

import type { Logger } from './logger.ts';
import { normalizeOrigin } from './origin-policy.ts';
import { DEFAULT_CONCURRENT_LIMIT, resolveLimits, type RelayLimits } from './relay-limits.ts';

export { DEFAULT_CONCURRENT_LIMIT } from './relay-limits.ts';

/** ICE server entry handed to the app, in the shape of WebRTC's RTCIceServer. */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** Settings of one relay instance. */
export interface RelayOptions {
  /** TCP port to listen on; 0 picks a free port. */
  port: number;
  /** Interface to listen on, for example '127.0.0.1', 'localhost' or '0.0.0.0' for a LAN hub. */
  host: string;
  /** Directory of the built PWA (for example dist/). Without it only the relay API is served. */
  staticDir?: string;
  /** ICE servers returned by /relay/config. Defaults to none, so the app contacts no STUN server. */
  iceServers?: readonly IceServer[];
  /**
   * Maximum number of registered PeerJS clients, and the default maximum of control sockets
   * (`limits.maxControlSockets`). Default 5000.
   */
  concurrentLimit?: number;
  /** PEM certificate chain and private key. With them the relay serves HTTPS and WSS on its port. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /**
   * Origins (`https://host[:port]`) allowed to open sockets and call the JSON endpoints, besides
   * the relay's own origin. Default: any origin.
   */
  allowedOrigins?: readonly string[];
  /** Directory of the mailbox database. Without it the mailbox is kept in memory and lost on close. */
  dataDir?: string;
  /** Limits and rate limits; each one missing takes its default from relay-limits.ts. */
  limits?: Partial<RelayLimits>;
  /** Clock of the mailbox and the rate limits, in ms since the epoch. Tests inject one. */
  now?: () => number;
  /** Interval of the mailbox expiry sweep. Default 60 000 ms. */
  mailboxSweepIntervalMs?: number;
  /** Defaults to a logger that writes JSON lines to standard output. */
  logger?: Logger;
  /** PeerJS key that clients must send. Default 'meshtext'. */
  peerKey?: string;
  /**
   * TEST ONLY: accept a registration without checking its address proof. The id must still be
   * a valid address and the token must be present. Lets tests simulate a relay where someone
   * squats another user's address.
   */
  skipOwnershipCheck?: boolean;
}

export const DEFAULT_PEER_KEY = 'meshtext';

/** Options after validation, with defaults filled in. */
export interface ValidatedRelayOptions {
  iceServers: IceServer[];
  allowedOrigins: string[];
  concurrentLimit: number;
  limits: RelayLimits;
}

/**
 * Checks the options, fills in the defaults of the limits and returns copies of the lists.
 * @throws TypeError when a value has the wrong type or an origin is malformed.
 * @throws RangeError when the port or a limit is out of range.
 */
export function validateRelayOptions(options: RelayOptions): ValidatedRelayOptions {
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65_535) {
    throw new RangeError(`invalid port ${String(options.port)}: expected an integer from 0 to 65535`);
  }

  if (typeof options.host !== 'string' || options.host === '') {
    throw new TypeError('invalid host: expected a non-empty string');
  }

  const limit = options.concurrentLimit ?? DEFAULT_CONCURRENT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(`invalid concurrentLimit ${String(limit)}: expected a positive integer`);
  }

  if (options.peerKey !== undefined && (typeof options.peerKey !== 'string' || options.peerKey === '')) {
    throw new TypeError('invalid peerKey: expected a non-empty string');
  }

  if (options.tls !== undefined && (!options.tls.cert || !options.tls.key)) {
    throw new TypeError('invalid tls: expected both a PEM certificate and a PEM key');
  }

  return {
    iceServers: parseIceServers(options.iceServers ?? [], 'iceServers'),
    allowedOrigins: (options.allowedOrigins ?? []).map(normalizeOrigin),
    concurrentLimit: limit,
    limits: resolveLimits(options.limits ?? {}, limit),
  };
}

/**
 * Validates a list of ICE servers, for example parsed from JSON, and returns a copy.
 * @throws TypeError naming the first invalid entry; `label` names the source in the message.
 */
export function parseIceServers(value: unknown, label: string): IceServer[] {
  if (!Array.isArray(value)) throw new TypeError(`${label} must be an array of ICE servers`);

  return value.map((entry: unknown, index) => {
    const where = `${label}[${index}]`;

    if (typeof entry !== 'object' || entry === null || !('urls' in entry)) {
      throw new TypeError(`${where} must be an object with "urls"`);
    }

    const { urls } = entry;
    const isUrlList = Array.isArray(urls) && urls.length > 0 && urls.every((url) => typeof url === 'string');
    if (typeof urls !== 'string' && !isUrlList) {
      throw new TypeError(`${where}.urls must be a string or a non-empty array of strings`);
    }

    const server: IceServer = { urls: typeof urls === 'string' ? urls : [...(urls as string[])] };
    for (const field of ['username', 'credential'] as const) {
      const fieldValue = field in entry ? (entry as Record<string, unknown>)[field] : undefined;
      if (fieldValue === undefined) continue;
      if (typeof fieldValue !== 'string') throw new TypeError(`${where}.${field} must be a string`);
      server[field] = fieldValue;
    }

    return server;
  });
}
