import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { EnvironmentError, readRelayEnvironment } from '../../signaling/environment.ts';

const DEFAULT_STATIC_DIR = '/srv/meshtext/dist';

describe('relay environment', () => {
  test('empty environment gives defaults', () => {
    expect(readRelayEnvironment({}, DEFAULT_STATIC_DIR)).toEqual({
      port: 8080,
      host: 'localhost',
      iceServers: [],
      staticDir: DEFAULT_STATIC_DIR,
    });
  });

  test('set variables override defaults', () => {
    const settings = readRelayEnvironment(
      {
        PORT: '9000',
        HOST: '0.0.0.0',
        MESHTEXT_ICE_SERVERS: '[{"urls":["stun:stun.example.test:3478"]}]',
        MESHTEXT_STATIC_DIR: 'build/app',
      },
      DEFAULT_STATIC_DIR,
    );

    expect(settings.port).toBe(9000);
    expect(settings.host).toBe('0.0.0.0');
    expect(settings.iceServers).toEqual([{ urls: ['stun:stun.example.test:3478'] }]);
    expect(settings.staticDir).toBe(path.resolve('build/app'));
  });

  test('invalid values name the variable', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ PORT: 'eighty' }, /invalid PORT "eighty"/],
      [{ PORT: '65536' }, /invalid PORT "65536"/],
      [{ PORT: '-1' }, /invalid PORT "-1"/],
      [{ PORT: '80.5' }, /invalid PORT "80.5"/],
      [{ MESHTEXT_ICE_SERVERS: '[{urls:' }, /invalid MESHTEXT_ICE_SERVERS: expected a JSON array/],
      [{ MESHTEXT_ICE_SERVERS: '{"urls":"stun:x"}' }, /MESHTEXT_ICE_SERVERS must be an array/],
      [{ MESHTEXT_ICE_SERVERS: '[{"url":"stun:x"}]' }, /MESHTEXT_ICE_SERVERS\[0\] must be an object with "urls"/],
      [{ MESHTEXT_ICE_SERVERS: '[{"urls":[]}]' }, /MESHTEXT_ICE_SERVERS\[0\]\.urls must be a string or a non-empty array/],
      [{ MESHTEXT_ICE_SERVERS: '[{"urls":"turn:x","username":5}]' }, /MESHTEXT_ICE_SERVERS\[0\]\.username must be a string/],
    ];

    for (const [env, message] of cases) {
      expect(() => readRelayEnvironment(env, DEFAULT_STATIC_DIR), JSON.stringify(env)).toThrow(EnvironmentError);
      expect(() => readRelayEnvironment(env, DEFAULT_STATIC_DIR), JSON.stringify(env)).toThrow(message);
    }
  });
});
