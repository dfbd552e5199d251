/**
 * Relay settings read from environment variables by the command-line entry (main.ts).
 */

import path from 'node:path';
import { parseIceServers, type IceServer } from './relay-options.ts';

export const DEFAULT_PORT = 8080;
export const DEFAULT_HOST = 'localhost';

/** Thrown when an environment variable has an invalid value. The message names the variable. */
export class EnvironmentError extends Error {
  override name = 'EnvironmentError';
}

/** Relay settings taken from the environment. */
export interface RelayEnvironment {
  port: number;
  host: string;
  iceServers: IceServer[];
  staticDir: string;
}

/**
 * Reads PORT, HOST, MESHTEXT_ICE_SERVERS and MESHTEXT_STATIC_DIR. A variable that is unset or
 * empty takes its default. A relative MESHTEXT_STATIC_DIR is resolved against the working
 * directory.
 * @throws EnvironmentError naming the variable, its value and the expected form.
 */
export function readRelayEnvironment(env: NodeJS.ProcessEnv, defaultStaticDir: string): RelayEnvironment {
  const staticDir = readVariable(env, 'MESHTEXT_STATIC_DIR');

  return {
    port: readPort(env),
    host: readVariable(env, 'HOST') ?? DEFAULT_HOST,
    iceServers: readIceServers(env),
    staticDir: staticDir === undefined ? defaultStaticDir : path.resolve(staticDir),
  };
}

function readVariable(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();

  return value === '' ? undefined : value;
}

function readPort(env: NodeJS.ProcessEnv): number {
  const value = readVariable(env, 'PORT');
  if (value === undefined) return DEFAULT_PORT;

  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) {
    throw new EnvironmentError(`invalid PORT ${JSON.stringify(value)}: expected an integer from 0 to 65535`);
  }

  return port;
}

function readIceServers(env: NodeJS.ProcessEnv): IceServer[] {
  const value = readVariable(env, 'MESHTEXT_ICE_SERVERS');
  if (value === undefined) return [];

  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new EnvironmentError(
      'invalid MESHTEXT_ICE_SERVERS: expected a JSON array such as [{"urls":"stun:stun.example.org:3478"}]',
      { cause: error },
    );
  }

  try {
    return parseIceServers(parsed, 'MESHTEXT_ICE_SERVERS');
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    throw new EnvironmentError(error.message, { cause: error });
  }
}
