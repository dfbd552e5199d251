import { scryptSync } from 'node:crypto';
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { fromBase64Url, fromUtf8, toBase64Url, utf8 } from '../../../src/core/bytes.ts';
import {
  BackupError,
  DEFAULT_SCRYPT_PARAMS,
  deriveBackupKey,
  openBackup,
  parseBackupFile,
  sealBackup,
} from '../../../src/core/crypto/backup.ts';
import type { BackupErrorReason, BackupKeyDerivation, ScryptParams } from '../../../src/core/crypto/backup.ts';
import { randomBytes } from '../helpers.ts';

/** Cheap parameters so most tests run in milliseconds; one test uses the real ones. */
const TEST_PARAMS: ScryptParams = { N: 2 ** 10, r: 8, p: 1 };
const PASSPHRASE = 'lantern orchard seventeen';
const CONTENT = utf8('{"app":"meshtext","note":"backup content"}');

function seal(passphrase = PASSPHRASE, params = TEST_PARAMS): Promise<string> {
  return sealBackup(CONTENT, passphrase, { randomBytes, params });
}

/** Rewrites one field of a backup file's JSON. */
function edit(fileText: string, change: (wire: Record<string, unknown> & { kdf: Record<string, unknown> }) => void): string {
  const wire = JSON.parse(fileText);
  change(wire);

  return JSON.stringify(wire);
}

async function expectBackupError(promise: Promise<unknown>, reason: BackupErrorReason): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );

  expect(error).toBeInstanceOf(BackupError);
  expect((error as BackupError).reason).toBe(reason);
}

describe('backup file', () => {
  it('round-trips with the default parameters', async () => {
    const fileText = await sealBackup(CONTENT, PASSPHRASE, { randomBytes });
    const wire = JSON.parse(fileText);

    expect(wire).toMatchObject({ format: 'meshtext-backup', v: 1, kdf: { name: 'scrypt', N: 32768, r: 8, p: 1 } });
    expect(fromUtf8(await openBackup(fileText, PASSPHRASE))).toBe(fromUtf8(CONTENT));
  });

  it('decrypts with an independent scrypt', async () => {
    const file = parseBackupFile(await seal());

    // Node's OpenSSL scrypt and tweetnacl's secretbox rebuild the key and open the payload.
    const key = scryptSync(PASSPHRASE, file.kdf.salt, 32, { N: file.kdf.N, r: file.kdf.r, p: file.kdf.p });
    const opened = nacl.secretbox.open(file.ciphertext, file.nonce, new Uint8Array(key));

    expect(opened).not.toBeNull();
    expect(fromUtf8(opened ?? new Uint8Array())).toBe(fromUtf8(CONTENT));
  });

  it('uses a fresh salt and nonce each time', async () => {
    const first = parseBackupFile(await seal());
    const second = parseBackupFile(await seal());

    expect(toBase64Url(first.kdf.salt)).not.toBe(toBase64Url(second.kdf.salt));
    expect(toBase64Url(first.nonce)).not.toBe(toBase64Url(second.nonce));
  });

  it('rejects a wrong passphrase', async () => {
    const fileText = await seal();
    const error = await openBackup(fileText, 'lantern orchard seventeeN').catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(BackupError);
    expect((error as BackupError).reason).toBe('wrong-passphrase');
    expect((error as Error).message).toBe('wrong passphrase or damaged file');
  });

  it('opens with another Unicode form', async () => {
    const composed = 'caf\u00e9 au lait sous la pluie';
    const decomposed = 'cafe\u0301 au lait sous la pluie';
    const fileText = await seal(composed);

    expect(fromUtf8(await openBackup(fileText, decomposed))).toBe(fromUtf8(CONTENT));
  });

  it('rejects a changed ciphertext byte', async () => {
    const fileText = await seal();
    const damaged = edit(fileText, (wire) => {
      const bytes = fromBase64Url(wire.ciphertext as string);
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
      wire.ciphertext = toBase64Url(bytes);
    });

    await expectBackupError(openBackup(damaged, PASSPHRASE), 'wrong-passphrase');
  });

  it('rejects changed key parameters', async () => {
    const fileText = await seal();
    const cheaper = edit(fileText, (wire) => {
      wire.kdf.N = 2 ** 9;
    });

    await expectBackupError(openBackup(cheaper, PASSPHRASE), 'wrong-passphrase');
  });

  it('rejects files that are not backups', async () => {
    const fileText = await seal();
    const cases: [string, string, BackupErrorReason][] = [
      ['plain text', 'hello', 'not-a-backup'],
      ['other JSON', '{"name":"package"}', 'not-a-backup'],
      ['JSON null', 'null', 'not-a-backup'],
      ['a newer version', edit(fileText, (wire) => (wire.v = 2)), 'unsupported-version'],
      ['another key derivation', edit(fileText, (wire) => (wire.kdf.name = 'argon2id')), 'unsupported-version'],
      ['N not a power of two', edit(fileText, (wire) => (wire.kdf.N = 1000)), 'damaged'],
      ['N too large', edit(fileText, (wire) => (wire.kdf.N = 2 ** 22)), 'damaged'],
      ['r too large', edit(fileText, (wire) => (wire.kdf.r = 2 ** 20)), 'damaged'],
      ['p too large', edit(fileText, (wire) => (wire.kdf.p = 64)), 'damaged'],
      ['a short nonce', edit(fileText, (wire) => (wire.nonce = 'AAAA')), 'damaged'],
      ['a missing salt', edit(fileText, (wire) => delete wire.kdf.salt), 'damaged'],
      ['a ciphertext outside base64url', edit(fileText, (wire) => (wire.ciphertext = '%%%%')), 'damaged'],
    ];

    for (const [what, text, reason] of cases) {
      let error: unknown;
      try {
        parseBackupFile(text);
      } catch (caught) {
        error = caught;
      }

      expect(error, what).toBeInstanceOf(BackupError);
      expect((error as BackupError).reason, what).toBe(reason);
    }
  });

  it('rejects an empty passphrase', async () => {
    await expect(seal('')).rejects.toThrow(RangeError);
    await expect(openBackup(await seal(), '')).rejects.toThrow(RangeError);
  });

  it('reports progress up to 1', async () => {
    const fractions: number[] = [];

    await sealBackup(CONTENT, PASSPHRASE, { randomBytes, params: TEST_PARAMS, onProgress: (f) => fractions.push(f) });

    expect(fractions.length).toBeGreaterThan(1);
    expect(fractions.at(-1)).toBe(1);
    expect(fractions.every((fraction, i) => i === 0 || fraction >= (fractions[i - 1] ?? 0))).toBe(true);
  });

  it('uses the given key derivation both ways', async () => {
    const calls: ScryptParams[] = [];
    const recording: BackupKeyDerivation = (passphrase, salt, params, onProgress) => {
      calls.push(params);

      return deriveBackupKey(passphrase, salt, params, onProgress);
    };

    const fileText = await sealBackup(CONTENT, PASSPHRASE, { randomBytes, params: TEST_PARAMS, deriveKey: recording });
    const opened = await openBackup(fileText, PASSPHRASE, undefined, recording);

    expect(fromUtf8(opened)).toBe(fromUtf8(CONTENT));
    expect(calls).toEqual([TEST_PARAMS, TEST_PARAMS]);
  });

  it('derives the same key as node:crypto scrypt', async () => {
    const salt = randomBytes(16);
    const key = await deriveBackupKey(PASSPHRASE, salt, TEST_PARAMS, undefined);

    expect(Buffer.from(key).toString('hex')).toBe(scryptSync(PASSPHRASE, salt, 32, TEST_PARAMS).toString('hex'));
    await expect(deriveBackupKey(PASSPHRASE, salt, { N: 3, r: 8, p: 1 }, undefined)).rejects.toThrow(RangeError);
  });

  it('keeps the default cost at 32 MiB', () => {
    expect(128 * DEFAULT_SCRYPT_PARAMS.N * DEFAULT_SCRYPT_PARAMS.r).toBe(32 * 1024 * 1024);
  });
});
