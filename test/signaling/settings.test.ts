import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { DEFAULT_LIMITS } from '../../signaling/relay-limits.ts';
import { readRelaySettings, SettingsError, type RelaySettings } from '../../signaling/settings.ts';

const DEFAULTS = { staticDir: '/srv/meshtext/dist', dataDir: '/srv/meshtext/.relay-data' };

function settingsOf(argv: string[], env: Record<string, string> = {}): RelaySettings {
  const outcome = readRelaySettings(argv, env, DEFAULTS);
  if (outcome.kind !== 'run') throw new Error('expected settings, got help');

  return outcome.settings;
}

describe('relay settings', () => {
  test('no flags or variables give defaults', () => {
    const settings = settingsOf([]);

    expect(settings).toMatchObject({
      port: 8080,
      host: 'localhost',
      publicUrl: undefined,
      tlsCertPath: undefined,
      tlsKeyPath: undefined,
      allowedOrigins: [],
      dataDir: DEFAULTS.dataDir,
      staticDir: DEFAULTS.staticDir,
      iceServers: [],
      logLevel: 'info',
      concurrentLimit: 5000,
    });
    expect(settings.limits).toEqual({ ...DEFAULT_LIMITS, maxControlSockets: 5000 });
  });

  test('variables override defaults', () => {
    const settings = settingsOf([], {
      PORT: '9000',
      HOST: '0.0.0.0',
      MESHTEXT_PUBLIC_URL: 'https://hub.example.test:8443',
      MESHTEXT_TLS_CERT: 'certs/hub.pem',
      MESHTEXT_TLS_KEY: 'certs/hub-key.pem',
      MESHTEXT_ALLOWED_ORIGINS: 'https://a.example.test, https://b.example.test:8443/',
      MESHTEXT_DATA_DIR: 'relay-data',
      MESHTEXT_ICE_SERVERS: '[{"urls":["stun:stun.example.test:3478"]}]',
      MESHTEXT_STATIC_DIR: 'build/app',
      MESHTEXT_LOG_LEVEL: 'WARN',
      MESHTEXT_MAX_PEERS: '19000',
      MESHTEXT_MAILBOX_MAX_BYTES: '8MiB',
      MESHTEXT_MAILBOX_MAX_TTL_DAYS: '2.5',
      MESHTEXT_CHALLENGE_RATE: '0.5',
      MESHTEXT_CHALLENGE_BURST: '4',
    });

    expect(settings.port).toBe(9000);
    expect(settings.host).toBe('0.0.0.0');
    expect(settings.publicUrl).toBe('https://hub.example.test:8443/');
    expect(settings.tlsCertPath).toBe(path.resolve('certs/hub.pem'));
    expect(settings.tlsKeyPath).toBe(path.resolve('certs/hub-key.pem'));
    expect(settings.allowedOrigins).toEqual(['https://a.example.test', 'https://b.example.test:8443']);
    expect(settings.dataDir).toBe(path.resolve('relay-data'));
    expect(settings.iceServers).toEqual([{ urls: ['stun:stun.example.test:3478'] }]);
    expect(settings.staticDir).toBe(path.resolve('build/app'));
    expect(settings.logLevel).toBe('warn');
    expect(settings.concurrentLimit).toBe(19000);
    expect(settings.limits.maxControlSockets).toBe(19000);
    expect(settings.limits.mailboxMaxBytes).toBe(8 * 1024 * 1024);
    expect(settings.limits.mailboxMaxTtlMs).toBe(2.5 * 24 * 60 * 60 * 1000);
    expect(settings.limits.challenges).toEqual({ ratePerSecond: 0.5, burst: 4 });
  });

  test('flags win over variables', () => {
    const settings = settingsOf(['--port', '9001', '--host=::', '--max-control-sockets', '7', '--peer-rate', '250'], { PORT: '9000', HOST: '127.0.0.1' });

    expect(settings.port).toBe(9001);
    expect(settings.host).toBe('::');
    expect(settings.limits.maxControlSockets).toBe(7);
    expect(settings.limits.peerMessages).toEqual({ ratePerSecond: 250, burst: DEFAULT_LIMITS.peerMessages.burst });
  });

  test('empty variable takes default', () => {
    expect(settingsOf([], { PORT: ' ', HOST: '' })).toMatchObject({ port: 8080, host: 'localhost' });
  });

  test('help lists every flag with units', () => {
    const outcome = readRelaySettings(['--help'], {}, DEFAULTS);
    if (outcome.kind !== 'help') throw new Error('expected help');

    for (const text of ['--port N', '--tls-cert FILE', 'MESHTEXT_TLS_KEY', 'MESHTEXT_ALLOWED_ORIGINS', '--mailbox-max-bytes BYTES', 'per second']) {
      expect(outcome.text).toContain(text);
    }
  });

  test('invalid values name the setting', () => {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [[], { PORT: 'eighty' }, /invalid PORT "eighty"/],
      [[], { PORT: '65536' }, /invalid PORT "65536"/],
      [['--port=-1'], {}, /invalid --port "-1"/],
      [['--port', '-1'], {}, /argument is ambiguous/],
      [['--port', '80.5'], {}, /invalid --port "80.5"/],
      [['--bogus'], {}, /Unknown option '--bogus'.*--help/],
      [['--tls-cert', 'a.pem'], {}, /set both --tls-cert and --tls-key/],
      [[], { MESHTEXT_PUBLIC_URL: 'hub.local' }, /invalid MESHTEXT_PUBLIC_URL "hub.local"/],
      [[], { MESHTEXT_PUBLIC_URL: 'ftp://hub.local' }, /expected an http:\/\/ or https:\/\/ URL/],
      [[], { MESHTEXT_ALLOWED_ORIGINS: 'https://a.test/app' }, /without a path/],
      [[], { MESHTEXT_LOG_LEVEL: 'loud' }, /invalid MESHTEXT_LOG_LEVEL "loud": expected one of debug, info, warn, error/],
      [['--max-peers', '0'], {}, /invalid --max-peers "0": expected an integer of at least 1/],
      [['--max-envelope-bytes', '70000'], {}, /expected an integer from 1 to 65536/],
      [['--mailbox-max-bytes', '12XB'], {}, /expected a byte count/],
      [['--mailbox-max-ttl-days', '0'], {}, /expected a number above 0/],
      [['--control-rate', 'fast'], {}, /invalid --control-rate "fast"/],
      [['--control-burst', '0.5'], {}, /invalid --control-burst "0.5"/],
      [[], { MESHTEXT_ICE_SERVERS: '[{urls:' }, /invalid MESHTEXT_ICE_SERVERS: expected a JSON array/],
      [[], { MESHTEXT_ICE_SERVERS: '[{"url":"stun:x"}]' }, /MESHTEXT_ICE_SERVERS\[0\] must be an object with "urls"/],
      [['--ice-servers', '[{"urls":"turn:x","username":5}]'], {}, /--ice-servers\[0\]\.username must be a string/],
    ];

    for (const [argv, env, message] of cases) {
      const label = JSON.stringify({ argv, env });
      expect(() => readRelaySettings(argv, env, DEFAULTS), label).toThrow(SettingsError);
      expect(() => readRelaySettings(argv, env, DEFAULTS), label).toThrow(message);
    }
  });
});
