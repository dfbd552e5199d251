/**
 * The text that main.ts prints at start: where the relay can be reached, the join URL and,
 * for a LAN hub, a QR code of it and a warning about plain HTTP. Addresses come from
 * os.networkInterfaces(); nothing here contacts the network.
 */

import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import QRCode from 'qrcode';

/** Hosts that make the relay listen on every interface, so a hub for the local network. */
export const WILDCARD_HOSTS: ReadonlySet<string> = new Set(['0.0.0.0', '::']);

/** Facts the banner is made from. */
export interface BannerInput {
  /** Host the relay listens on. */
  host: string;
  port: number;
  isTls: boolean;
  /** URL of the relay as started, for a relay bound to one interface. */
  relayUrl: string;
  publicUrl: string | undefined;
  /** Interfaces to list, defaults to os.networkInterfaces(). */
  interfaces?: NodeJS.Dict<NetworkInterfaceInfo[]>;
}

/**
 * Returns the non-internal addresses that a hub on `host` accepts connections on: IPv4 only
 * for 0.0.0.0, IPv4 and IPv6 for ::. Link-local IPv6 addresses are left out, because a URL
 * with one needs a zone index that browsers do not accept.
 */
export function lanAddresses(host: string, interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): string[] {
  const includeIpv6 = host === '::';

  return Object.values(interfaces)
    .flatMap((entries) => entries ?? [])
    .filter((entry) => !entry.internal)
    .filter((entry) => entry.family === 'IPv4' || (includeIpv6 && !entry.address.toLowerCase().startsWith('fe80:')))
    .map((entry) => entry.address);
}

/** Formats an http or https URL for an IPv4 address, an IPv6 address or a host name. */
export function urlForAddress(address: string, port: number, isTls: boolean): string {
  const host = address.includes(':') ? `[${address}]` : address;

  return `${isTls ? 'https' : 'http'}://${host}:${port}/`;
}

/** Builds the lines to print and the join URL. The QR code is rendered separately. */
export function describeListening(input: BannerInput): { lines: string[]; joinUrl: string; isHub: boolean } {
  const isHub = WILDCARD_HOSTS.has(input.host);
  const lines: string[] = [];

  if (!isHub) {
    lines.push(`Meshtext is running at ${input.relayUrl}`);
    const joinUrl = input.publicUrl ?? `${input.relayUrl}/`;
    if (input.publicUrl !== undefined) lines.push(`Join URL: ${joinUrl}`);

    return { lines, joinUrl, isHub };
  }

  const lanUrls = lanAddresses(input.host, input.interfaces).map((address) => urlForAddress(address, input.port, input.isTls));
  lines.push(`Meshtext is running as a LAN hub at ${urlForAddress('localhost', input.port, input.isTls)}`);
  if (lanUrls.length === 0) {
    lines.push('No network interface other than loopback was found, so other devices cannot reach this hub yet.');
  } else {
    lines.push('Other devices on this network can open:');
    for (const url of lanUrls) lines.push(`  ${url}`);
  }

  const joinUrl = input.publicUrl ?? lanUrls[0] ?? urlForAddress('localhost', input.port, input.isTls);
  lines.push(`Join URL: ${joinUrl}`);

  return { lines, joinUrl, isHub };
}

/** Renders a QR code of `text` with Unicode half blocks, two modules per character row. */
export function renderQrCode(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'terminal', small: true, errorCorrectionLevel: 'M' });
}

/**
 * Returns the warning printed when a hub is reached over plain HTTP on a LAN address, where
 * browsers do not treat the page as a secure context.
 */
export function plainHttpWarning(): string {
  return [
    'Warning: over plain HTTP on a LAN address the browser does not treat Meshtext as a secure context,',
    'so it withholds service workers (offline use), installing the app, Web Locks, crypto.subtle,',
    'the camera (QR scanning), notifications and persistent storage. Only http://localhost is exempt.',
    'Give the hub a certificate that the devices trust, for example one made with mkcert, and start',
    'it with --tls-cert FILE --tls-key FILE (see signaling/README.md).',
  ].join('\n');
}
