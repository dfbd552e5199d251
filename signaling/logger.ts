/**
 * Structured logging for the relay: one JSON object per line with a timestamp, a level, an
 * event name and a few scalar fields. Fields are limited to scalars so that message payloads,
 * tokens and other objects cannot slip into a log line by accident.
 */

/** Scalar values that may accompany a log event: ids, counts, reasons, timings. */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

/** Logger used by every part of the relay. `event` is a short fixed phrase such as "peer connected". */
export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

/** Severity of a log event, from the most to the least verbose. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/**
 * Creates a logger that writes one JSON line per event at or above `minLevel` (default
 * 'info') through `writeLine`, which defaults to standard output.
 */
export function createJsonLogger(writeLine: (line: string) => void = writeToStdout, minLevel: LogLevel = 'info'): Logger {
  const minRank = LOG_LEVELS.indexOf(minLevel);

  const log = (level: LogLevel, event: string, fields: LogFields = {}): void => {
    if (LOG_LEVELS.indexOf(level) < minRank) return;

    const entry = { time: new Date().toISOString(), level, event, ...fields };

    writeLine(JSON.stringify(entry));
  };

  return {
    debug: (event, fields) => log('debug', event, fields),
    info: (event, fields) => log('info', event, fields),
    warn: (event, fields) => log('warn', event, fields),
    error: (event, fields) => log('error', event, fields),
  };
}

/** Logger that drops every event, for tests. */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

/** Formats a caught value as `Name: message` for a log field, without its stack. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;

  return String(error);
}

/** Shortens an address to its first characters, enough to tell users apart in logs. */
export function addressForLog(address: string): string {
  return address.slice(0, 12);
}

function writeToStdout(line: string): void {
  process.stdout.write(`${line}\n`);
}
