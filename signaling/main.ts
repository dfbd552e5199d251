/**
 * Command-line entry of the Meshtext relay: `npx tsx signaling/main.ts [options]`. Run it
 * with `--help` for the options and their environment variables (settings.ts), or see
 * signaling/README.md.
 *
 * SIGINT or SIGTERM closes the relay gracefully: it stops accepting connections, closes the
 * sockets and the mailbox database, then exits. A second signal exits at once.
 */

import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { describeListening, plainHttpWarning, renderQrCode } from './hub-banner.ts';
import { createJsonLogger, describeError } from './logger.ts';
import { startRelay, type RunningRelay } from './server.ts';
import { readRelaySettings, SettingsError, type RelaySettings } from './settings.ts';

/** Maximum time a graceful close may take before the process exits anyway. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

async function main(): Promise<void> {
  const settings = readSettingsOrExit();
  const tls = readTlsOrExit(settings);
  const logger = createJsonLogger(undefined, settings.logLevel);

  let relay: RunningRelay;
  try {
    relay = await startRelay({
      port: settings.port,
      host: settings.host,
      staticDir: settings.staticDir,
      iceServers: settings.iceServers,
      tls,
      allowedOrigins: settings.allowedOrigins,
      dataDir: settings.dataDir,
      concurrentLimit: settings.concurrentLimit,
      limits: settings.limits,
      logger,
    });
  } catch (error) {
    exitWithError(`could not start the relay on ${settings.host}:${settings.port}: ${describeError(error)}${startHint(error, settings)}`);
  }

  await printBanner(settings, relay, tls !== undefined);

  let isStopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (isStopping) process.exit(1);
    isStopping = true;

    logger.info('shutdown requested', { signal });
    setTimeout(() => exitWithError(`the relay did not close within ${SHUTDOWN_TIMEOUT_MS} ms`), SHUTDOWN_TIMEOUT_MS).unref();
    // The peer server keeps internal timers alive after close, so exit explicitly.
    relay.close().then(
      () => process.exit(0),
      (error: unknown) => exitWithError(`failed to close the relay: ${describeError(error)}`),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function readSettingsOrExit(): RelaySettings {
  const defaults = {
    staticDir: fileURLToPath(new URL('../dist', import.meta.url)),
    dataDir: fileURLToPath(new URL('../.relay-data', import.meta.url)),
  };

  try {
    const outcome = readRelaySettings(process.argv.slice(2), process.env, defaults);
    if (outcome.kind === 'run') return outcome.settings;

    console.log(outcome.text);
    process.exit(0);
  } catch (error) {
    if (error instanceof SettingsError) exitWithError(error.message);
    throw error;
  }
}

/** Reads and checks the certificate and key files, so a bad file is named before the relay starts. */
function readTlsOrExit(settings: RelaySettings): { cert: Buffer; key: Buffer } | undefined {
  if (settings.tlsCertPath === undefined || settings.tlsKeyPath === undefined) return undefined;

  const cert = readFileOrExit(settings.tlsCertPath, 'TLS certificate');
  const key = readFileOrExit(settings.tlsKeyPath, 'TLS key');
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    exitWithError(
      `invalid TLS certificate ${settings.tlsCertPath} or key ${settings.tlsKeyPath}: ${describeError(error)}. ` +
        'Expected a PEM certificate chain and the PEM private key that belongs to it.',
    );
  }

  return { cert, key };
}

function readFileOrExit(filePath: string, label: string): Buffer {
  try {
    return readFileSync(filePath);
  } catch (error) {
    exitWithError(`could not read the ${label} ${filePath}: ${describeError(error)}`);
  }
}

async function printBanner(settings: RelaySettings, relay: RunningRelay, isTls: boolean): Promise<void> {
  const banner = describeListening({ host: settings.host, port: relay.port, isTls, relayUrl: relay.url, publicUrl: settings.publicUrl });

  console.log(banner.lines.join('\n'));
  if (!banner.isHub) return;

  try {
    console.log(await renderQrCode(banner.joinUrl));
  } catch (error) {
    console.log(`(no QR code: ${describeError(error)})`);
  }

  if (!banner.joinUrl.startsWith('https:')) console.log(plainHttpWarning());
}

function startHint(error: unknown, settings: RelaySettings): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;

  if (code === 'EADDRINUSE') return '. The port is in use: stop the other program or pass --port with a free port.';
  if (code === 'EACCES') return '. Binding this port needs privileges: pass --port with a number above 1023.';
  if (code === 'SQLITE_BUSY') return `. Another relay uses the data directory ${settings.dataDir}: stop it or pass --data-dir.`;

  return '';
}

function exitWithError(message: string): never {
  console.error(`meshtext relay: ${message}`);
  process.exit(1);
}

await main();
