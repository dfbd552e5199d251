/**
 * Relay settings from command-line flags and environment variables, for main.ts. Every
 * setting has a flag and a variable; a flag wins over its variable, and a variable that is
 * unset or empty takes the default. `--help` prints the table below with units and defaults.
 */

import path from 'node:path';
import { parseArgs } from 'node:util';
import { LOG_LEVELS, type LogLevel } from './logger.ts';
import { normalizeOrigin } from './origin-policy.ts';
import { DEFAULT_CONCURRENT_LIMIT, DEFAULT_LIMITS, type RelayLimits } from './relay-limits.ts';
import { parseIceServers, type IceServer } from './relay-options.ts';
import type { RateLimit } from './token-bucket.ts';

export const DEFAULT_PORT = 8080;
export const DEFAULT_HOST = 'localhost';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Thrown when a flag or variable has an invalid value. The message names it. */
export class SettingsError extends Error {
  override name = 'SettingsError';
}

/** Relay settings after parsing, with defaults filled in. Paths are absolute. */
export interface RelaySettings {
  port: number;
  host: string;
  publicUrl: string | undefined;
  tlsCertPath: string | undefined;
  tlsKeyPath: string | undefined;
  allowedOrigins: string[];
  dataDir: string;
  staticDir: string;
  iceServers: IceServer[];
  logLevel: LogLevel;
  concurrentLimit: number;
  limits: RelayLimits;
}

/** Result of parsing: either settings to run with or the help text to print. */
export type SettingsOutcome = { kind: 'run'; settings: RelaySettings } | { kind: 'help'; text: string };

/** Defaults that depend on where the relay is installed. */
export interface SettingsDefaults {
  staticDir: string;
  dataDir: string;
}

interface SettingSpec {
  flag: string;
  env: string;
  value: string;
  help: string;
  defaultText: string;
}

const SPECS = [
  { flag: 'port', env: 'PORT', value: 'N', help: 'TCP port to listen on; 0 picks a free port', defaultText: String(DEFAULT_PORT) },
  { flag: 'host', env: 'HOST', value: 'ADDRESS', help: 'interface to listen on; 0.0.0.0 or :: runs a LAN hub', defaultText: DEFAULT_HOST },
  { flag: 'public-url', env: 'MESHTEXT_PUBLIC_URL', value: 'URL', help: 'URL that users open, printed as the join URL', defaultText: 'the listening URL' },
  { flag: 'tls-cert', env: 'MESHTEXT_TLS_CERT', value: 'FILE', help: 'PEM certificate chain; with --tls-key, serve HTTPS and WSS', defaultText: 'none, plain HTTP' },
  { flag: 'tls-key', env: 'MESHTEXT_TLS_KEY', value: 'FILE', help: 'PEM private key of the certificate', defaultText: 'none' },
  {
    flag: 'allowed-origins',
    env: 'MESHTEXT_ALLOWED_ORIGINS',
    value: 'LIST',
    help: "comma-separated origins that may open sockets and call the JSON endpoints, besides the relay's own",
    defaultText: 'any origin',
  },
  { flag: 'data-dir', env: 'MESHTEXT_DATA_DIR', value: 'DIR', help: 'directory of the mailbox database', defaultText: '.relay-data in the repository' },
  { flag: 'static-dir', env: 'MESHTEXT_STATIC_DIR', value: 'DIR', help: 'directory of the built app', defaultText: 'dist in the repository' },
  { flag: 'ice-servers', env: 'MESHTEXT_ICE_SERVERS', value: 'JSON', help: 'JSON array of RTCIceServer objects handed to the app', defaultText: 'none, so the app contacts no STUN or TURN server' },
  { flag: 'log-level', env: 'MESHTEXT_LOG_LEVEL', value: 'LEVEL', help: `minimum level logged: ${LOG_LEVELS.join(', ')}`, defaultText: 'info' },
  { flag: 'max-peers', env: 'MESHTEXT_MAX_PEERS', value: 'N', help: 'registered PeerJS clients at once', defaultText: String(DEFAULT_CONCURRENT_LIMIT) },
  { flag: 'max-control-sockets', env: 'MESHTEXT_MAX_CONTROL_SOCKETS', value: 'N', help: 'open control sockets at once', defaultText: 'the value of --max-peers' },
  {
    flag: 'max-envelope-bytes',
    env: 'MESHTEXT_MAX_ENVELOPE_BYTES',
    value: 'BYTES',
    help: 'decoded size of one stored envelope, at most 65536',
    defaultText: String(DEFAULT_LIMITS.maxEnvelopeBytes),
  },
  {
    flag: 'mailbox-max-envelopes',
    env: 'MESHTEXT_MAILBOX_MAX_ENVELOPES',
    value: 'N',
    help: 'envelopes waiting for one recipient',
    defaultText: String(DEFAULT_LIMITS.mailboxMaxEnvelopes),
  },
  {
    flag: 'mailbox-max-bytes',
    env: 'MESHTEXT_MAILBOX_MAX_BYTES',
    value: 'BYTES',
    help: 'total envelope bytes waiting for one recipient; KiB, MiB and GiB suffixes accepted',
    defaultText: '32MiB',
  },
  {
    flag: 'mailbox-max-ttl-days',
    env: 'MESHTEXT_MAILBOX_MAX_TTL_DAYS',
    value: 'DAYS',
    help: 'maximum time an envelope is kept, also the default time to live',
    defaultText: String(DEFAULT_LIMITS.mailboxMaxTtlMs / DAY_MS),
  },
  ...rateSpecs('control', 'CONTROL', 'messages per second per control socket', DEFAULT_LIMITS.controlMessages),
  ...rateSpecs('peer', 'PEER', 'messages per second per PeerJS socket', DEFAULT_LIMITS.peerMessages),
  ...rateSpecs('mailbox-put', 'MAILBOX_PUT', 'mailbox stores per second per sender address', DEFAULT_LIMITS.mailboxPuts),
  ...rateSpecs('challenge', 'CHALLENGE', 'challenge requests per second per client IP', DEFAULT_LIMITS.challenges),
] as const satisfies readonly SettingSpec[];

type Flag = (typeof SPECS)[number]['flag'];

function rateSpecs(flag: string, env: string, unit: string, limit: RateLimit): SettingSpec[] {
  return [
    { flag: `${flag}-rate`, env: `MESHTEXT_${env}_RATE`, value: 'N', help: unit, defaultText: String(limit.ratePerSecond) },
    { flag: `${flag}-burst`, env: `MESHTEXT_${env}_BURST`, value: 'N', help: 'burst allowed above that rate', defaultText: String(limit.burst) },
  ];
}

/**
 * Parses `argv` (without the node and script paths) and `env`. Relative paths are resolved
 * against the working directory.
 * @throws SettingsError naming the flag or variable, its value and the expected form.
 */
export function readRelaySettings(argv: readonly string[], env: NodeJS.ProcessEnv, defaults: SettingsDefaults): SettingsOutcome {
  const flags = parseFlags(argv);
  if (flags.help === true) return { kind: 'help', text: formatHelp() };

  const read = (flag: Flag): { value: string; source: string } | undefined => {
    const spec = SPECS.find((candidate) => candidate.flag === flag);
    if (spec === undefined) throw new Error(`no setting named ${flag}`);

    const fromFlag = flags[flag];
    if (typeof fromFlag === 'string') return { value: fromFlag.trim(), source: `--${flag}` };

    const fromEnv = env[spec.env]?.trim();

    return fromEnv === undefined || fromEnv === '' ? undefined : { value: fromEnv, source: spec.env };
  };
  const readInteger = (flag: Flag, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined => {
    const raw = read(flag);

    return raw === undefined ? undefined : parseInteger(raw.value, raw.source, min, max);
  };
  const readRateLimit = (rateFlag: Flag, burstFlag: Flag, fallback: RateLimit): RateLimit => {
    const rate = read(rateFlag);

    return {
      ratePerSecond: rate === undefined ? fallback.ratePerSecond : parsePositiveNumber(rate.value, rate.source),
      burst: readInteger(burstFlag, 1) ?? fallback.burst,
    };
  };

  const concurrentLimit = readInteger('max-peers', 1) ?? DEFAULT_CONCURRENT_LIMIT;
  const tlsCert = read('tls-cert');
  const tlsKey = read('tls-key');
  if ((tlsCert === undefined) !== (tlsKey === undefined)) {
    throw new SettingsError('incomplete TLS settings: set both --tls-cert and --tls-key (or MESHTEXT_TLS_CERT and MESHTEXT_TLS_KEY)');
  }

  const ttlDays = read('mailbox-max-ttl-days');
  const mailboxMaxBytes = read('mailbox-max-bytes');

  return {
    kind: 'run',
    settings: {
      port: readInteger('port', 0, 65_535) ?? DEFAULT_PORT,
      host: read('host')?.value ?? DEFAULT_HOST,
      publicUrl: parsePublicUrl(read('public-url')),
      tlsCertPath: tlsCert && path.resolve(tlsCert.value),
      tlsKeyPath: tlsKey && path.resolve(tlsKey.value),
      allowedOrigins: parseOrigins(read('allowed-origins')),
      dataDir: path.resolve(read('data-dir')?.value ?? defaults.dataDir),
      staticDir: path.resolve(read('static-dir')?.value ?? defaults.staticDir),
      iceServers: parseIceServerJson(read('ice-servers')),
      logLevel: parseLogLevel(read('log-level')),
      concurrentLimit,
      limits: {
        maxControlSockets: readInteger('max-control-sockets', 1) ?? concurrentLimit,
        maxEnvelopeBytes: readInteger('max-envelope-bytes', 1, DEFAULT_LIMITS.maxEnvelopeBytes) ?? DEFAULT_LIMITS.maxEnvelopeBytes,
        mailboxMaxEnvelopes: readInteger('mailbox-max-envelopes', 1) ?? DEFAULT_LIMITS.mailboxMaxEnvelopes,
        mailboxMaxBytes: mailboxMaxBytes === undefined ? DEFAULT_LIMITS.mailboxMaxBytes : parseByteSize(mailboxMaxBytes.value, mailboxMaxBytes.source),
        mailboxMaxTtlMs: ttlDays === undefined ? DEFAULT_LIMITS.mailboxMaxTtlMs : Math.round(parsePositiveNumber(ttlDays.value, ttlDays.source) * DAY_MS),
        maxPendingStores: DEFAULT_LIMITS.maxPendingStores,
        maxBufferedBytes: DEFAULT_LIMITS.maxBufferedBytes,
        controlMessages: readRateLimit('control-rate', 'control-burst', DEFAULT_LIMITS.controlMessages),
        peerMessages: readRateLimit('peer-rate', 'peer-burst', DEFAULT_LIMITS.peerMessages),
        mailboxPuts: readRateLimit('mailbox-put-rate', 'mailbox-put-burst', DEFAULT_LIMITS.mailboxPuts),
        challenges: readRateLimit('challenge-rate', 'challenge-burst', DEFAULT_LIMITS.challenges),
      },
    },
  };
}

/** Formats the usage text that `--help` prints. */
export function formatHelp(): string {
  const rows = SPECS.map((spec) => [`--${spec.flag} ${spec.value}`, spec.env, `${spec.help} (default: ${spec.defaultText})`]);
  const flagWidth = Math.max(...rows.map((row) => row[0]?.length ?? 0));
  const envWidth = Math.max(...rows.map((row) => row[1]?.length ?? 0));
  const lines = rows.map(([flag = '', env = '', help = '']) => `  ${flag.padEnd(flagWidth)}  ${env.padEnd(envWidth)}  ${help}`);

  return [
    'Usage: tsx signaling/main.ts [options]',
    '',
    'Runs the Meshtext relay: the app, PeerJS signaling, presence and the mailbox on one port.',
    'Each option can also be set by the environment variable next to it; the flag wins.',
    'Rates are per second; a burst is the number of events allowed at once after a quiet period.',
    '',
    ...lines,
    `  ${'--help'.padEnd(flagWidth)}  ${''.padEnd(envWidth)}  print this text and exit`,
    '',
    'SIGINT or SIGTERM closes the relay gracefully; a second signal exits at once.',
  ].join('\n');
}

function parseFlags(argv: readonly string[]): Partial<Record<Flag | 'help', string | boolean>> {
  const options = Object.fromEntries(SPECS.map((spec) => [spec.flag, { type: 'string' as const }]));

  try {
    const { values } = parseArgs({ args: [...argv], options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true });

    return values as Partial<Record<Flag | 'help', string | boolean>>;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new SettingsError(`${message}; run with --help to list the options`, { cause: error });
  }
}

function parseInteger(value: string, source: string, min: number, max: number): number {
  const number = Number(value);

  if (!/^\d+$/.test(value) || number < min || number > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new SettingsError(`invalid ${source} ${JSON.stringify(value)}: expected an integer ${range}`);
  }

  return number;
}

function parsePositiveNumber(value: string, source: string): number {
  const number = Number(value);

  if (!/^\d+(\.\d+)?$/.test(value) || !(number > 0)) {
    throw new SettingsError(`invalid ${source} ${JSON.stringify(value)}: expected a number above 0`);
  }

  return number;
}

function parseByteSize(value: string, source: string): number {
  const match = /^(\d+)\s*(KiB|MiB|GiB)?$/i.exec(value);
  const multipliers: Record<string, number> = { kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };
  const bytes = match?.[1] === undefined ? NaN : Number(match[1]) * (multipliers[match[2]?.toLowerCase() ?? ''] ?? 1);

  if (!Number.isSafeInteger(bytes) || bytes < 1) {
    throw new SettingsError(`invalid ${source} ${JSON.stringify(value)}: expected a byte count such as 33554432 or 32MiB`);
  }

  return bytes;
}

function parsePublicUrl(raw: { value: string; source: string } | undefined): string | undefined {
  if (raw === undefined) return undefined;

  let url: URL;
  try {
    url = new URL(raw.value);
  } catch (error) {
    throw new SettingsError(`invalid ${raw.source} ${JSON.stringify(raw.value)}: expected an absolute URL such as https://hub.example.org:8443/`, {
      cause: error,
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SettingsError(`invalid ${raw.source} ${JSON.stringify(raw.value)}: expected an http:// or https:// URL`);
  }

  return url.href;
}

function parseOrigins(raw: { value: string; source: string } | undefined): string[] {
  if (raw === undefined) return [];

  const entries = raw.value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  try {
    return entries.map(normalizeOrigin);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    throw new SettingsError(`invalid ${raw.source}: ${error.message}`, { cause: error });
  }
}

function parseIceServerJson(raw: { value: string; source: string } | undefined): IceServer[] {
  if (raw === undefined) return [];

  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.value);
  } catch (error) {
    throw new SettingsError(`invalid ${raw.source}: expected a JSON array such as [{"urls":"stun:stun.example.org:3478"}]`, { cause: error });
  }

  try {
    return parseIceServers(parsed, raw.source);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    throw new SettingsError(error.message, { cause: error });
  }
}

function parseLogLevel(raw: { value: string; source: string } | undefined): LogLevel {
  if (raw === undefined) return 'info';

  const level = LOG_LEVELS.find((candidate) => candidate === raw.value.toLowerCase());
  if (level === undefined) {
    throw new SettingsError(`invalid ${raw.source} ${JSON.stringify(raw.value)}: expected one of ${LOG_LEVELS.join(', ')}`);
  }

  return level;
}
