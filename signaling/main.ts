/**
 * Command-line entry of the Meshtext relay: `npx tsx signaling/main.ts`.
 *
 * Environment variables:
 * - PORT: TCP port to listen on (default 8080, 0 picks a free port).
 * - HOST: interface to listen on (default localhost). Set HOST=0.0.0.0 to run the relay as a
 *   hub that other devices on the local network can reach.
 * - MESHTEXT_ICE_SERVERS: JSON array of RTCIceServer objects handed to the app (default [],
 *   so the app contacts no STUN or TURN server).
 * - MESHTEXT_STATIC_DIR: directory of the built app (default dist/ in the repository).
 *
 * SIGINT or SIGTERM closes the relay. A second signal exits at once.
 */

import { networkInterfaces } from 'node:os';
import { fileURLToPath } from 'node:url';
import { EnvironmentError, readRelayEnvironment, type RelayEnvironment } from './environment.ts';
import { describeError } from './logger.ts';
import { startRelay, type RunningRelay } from './server.ts';

/** Maximum time a graceful close may take before the process exits anyway. */
const SHUTDOWN_TIMEOUT_MS = 5_000;

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::']);

async function main(): Promise<void> {
  const settings = readSettingsOrExit();

  let relay: RunningRelay;
  try {
    relay = await startRelay(settings);
  } catch (error) {
    exitWithError(`could not start the relay on ${settings.host}:${settings.port}: ${describeError(error)}${portHint(error)}`);
  }

  const isWildcardHost = WILDCARD_HOSTS.has(settings.host);
  console.log(`Meshtext is running at ${isWildcardHost ? `http://localhost:${relay.port}` : relay.url}`);
  if (isWildcardHost) {
    for (const address of lanAddresses()) console.log(`Other devices on this network can open http://${address}:${relay.port}`);
  }

  let isStopping = false;
  const stop = (): void => {
    if (isStopping) process.exit(1);
    isStopping = true;

    setTimeout(() => process.exit(1), SHUTDOWN_TIMEOUT_MS).unref();
    // The peer server keeps internal timers alive after close, so exit explicitly.
    relay.close().then(
      () => process.exit(0),
      (error: unknown) => exitWithError(`failed to close the relay: ${describeError(error)}`),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function readSettingsOrExit(): RelayEnvironment {
  const defaultStaticDir = fileURLToPath(new URL('../dist', import.meta.url));

  try {
    return readRelayEnvironment(process.env, defaultStaticDir);
  } catch (error) {
    if (error instanceof EnvironmentError) exitWithError(error.message);
    throw error;
  }
}

function portHint(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;

  if (code === 'EADDRINUSE') return '. The port is in use: stop the other program or set PORT to a free port.';
  if (code === 'EACCES') return '. Binding this port needs privileges: set PORT to a number above 1023.';

  return '';
}

/** IPv4 addresses of this machine's network interfaces, other than loopback. */
function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((entries) => entries ?? [])
    .filter((entry) => entry.family === 'IPv4' && !entry.internal)
    .map((entry) => entry.address);
}

function exitWithError(message: string): never {
  console.error(`meshtext relay: ${message}`);
  process.exit(1);
}

await main();
