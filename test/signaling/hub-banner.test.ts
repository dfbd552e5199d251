import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, test } from 'vitest';
import { describeListening, lanAddresses, plainHttpWarning, renderQrCode, urlForAddress } from '../../signaling/hub-banner.ts';

function entry(address: string, family: 'IPv4' | 'IPv6', internal = false): NetworkInterfaceInfo {
  const common = { address, netmask: '', mac: '00:00:00:00:00:00', internal, cidr: null };

  return family === 'IPv4' ? { ...common, family } : { ...common, family, scopeid: 0 };
}

const interfaces = {
  lo: [entry('127.0.0.1', 'IPv4', true), entry('::1', 'IPv6', true)],
  wlan0: [entry('192.168.1.20', 'IPv4'), entry('fe80::1c2:3ff:fe4d:5e6f', 'IPv6'), entry('fd00::20', 'IPv6')],
  eth0: [entry('10.0.0.5', 'IPv4')],
};

describe('LAN hub banner', () => {
  test('IPv4 wildcard lists IPv4 only', () => {
    expect(lanAddresses('0.0.0.0', interfaces)).toEqual(['192.168.1.20', '10.0.0.5']);
  });

  test('IPv6 wildcard adds routable IPv6', () => {
    expect(lanAddresses('::', interfaces)).toEqual(['192.168.1.20', 'fd00::20', '10.0.0.5']);
  });

  test('IPv6 address is bracketed in URL', () => {
    expect(urlForAddress('fd00::20', 8443, true)).toBe('https://[fd00::20]:8443/');
    expect(urlForAddress('192.168.1.20', 8080, false)).toBe('http://192.168.1.20:8080/');
  });

  test('hub lists URLs and picks first as join URL', () => {
    const banner = describeListening({ host: '0.0.0.0', port: 8080, isTls: false, relayUrl: 'http://0.0.0.0:8080', publicUrl: undefined, interfaces });

    expect(banner.isHub).toBe(true);
    expect(banner.joinUrl).toBe('http://192.168.1.20:8080/');
    expect(banner.lines).toContain('  http://10.0.0.5:8080/');
  });

  test('public URL becomes join URL', () => {
    const banner = describeListening({
      host: '::',
      port: 8443,
      isTls: true,
      relayUrl: 'https://[::]:8443',
      publicUrl: 'https://hub.example.test:8443/',
      interfaces,
    });

    expect(banner.joinUrl).toBe('https://hub.example.test:8443/');
    expect(banner.lines).toContain('  https://[fd00::20]:8443/');
  });

  test('hub without LAN interface says so', () => {
    const banner = describeListening({ host: '0.0.0.0', port: 8080, isTls: false, relayUrl: 'http://0.0.0.0:8080', publicUrl: undefined, interfaces: { lo: interfaces.lo } });

    expect(banner.lines.join('\n')).toMatch(/No network interface other than loopback/);
    expect(banner.joinUrl).toBe('http://localhost:8080/');
  });

  test('single interface relay is not a hub', () => {
    const banner = describeListening({ host: '127.0.0.1', port: 8080, isTls: false, relayUrl: 'http://127.0.0.1:8080', publicUrl: undefined, interfaces });

    expect(banner).toEqual({ lines: ['Meshtext is running at http://127.0.0.1:8080'], joinUrl: 'http://127.0.0.1:8080/', isHub: false });
  });

  test('QR code is drawn with block characters', async () => {
    const qr = await renderQrCode('http://192.168.1.20:8080/');
    const rows = qr.trim().split('\n');

    expect(rows.length).toBeGreaterThan(10);
    expect(qr).toMatch(/[▀▄█]/);
  });

  test('plain HTTP warning names the fix', () => {
    expect(plainHttpWarning()).toMatch(/service workers/);
    expect(plainHttpWarning()).toMatch(/--tls-cert FILE --tls-key FILE/);
  });
});
