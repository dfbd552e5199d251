/**
 * Passphrase-encrypted backup files. A file is JSON text:
 *
 *     { "format": "meshtext-backup", "v": 1,
 *       "kdf": { "name": "scrypt", "N": 32768, "r": 8, "p": 1, "salt": "<16 bytes>" },
 *       "nonce": "<24 bytes>", "ciphertext": "<secretbox output>" }
 *
 * with every byte string in base64url. The key is scrypt (RFC 7914) of the NFKC-normalised
 * passphrase, and the payload is sealed with XSalsa20-Poly1305 (`nacl.secretbox`). Changing any
 * field changes the key or breaks the authenticator, so a file is either opened whole or not at
 * all. What the payload contains is up to the caller.
 */

import { scryptAsync } from '@noble/hashes/scrypt.js';
import nacl from 'tweetnacl';
import { fromBase64Url, toBase64Url, utf8 } from '../bytes.ts';
import type { RandomBytes } from '../ports.ts';

export const BACKUP_FORMAT = 'meshtext-backup';
export const BACKUP_VERSION = 1;
/** File name extension the app offers when saving a backup. */
export const BACKUP_FILE_EXTENSION = '.meshtext';

export interface ScryptParams {
  /** CPU and memory cost, a power of two. Memory use is 128 · N · r bytes. */
  N: number;
  /** Block size. */
  r: number;
  /** Parallelisation; runs sequentially here, so it multiplies the time. */
  p: number;
}

/**
 * Parameters for new backups, which use 32 MiB of memory. On a 2-core AMD EPYC server, deriving
 * took 0.2 to 0.35 s in Node 20 and 0.14 to 0.48 s in Chromium, and 0.5 to 1.1 s in Chromium
 * with DevTools CPU throttling at 4×. A mid-range phone should land near the throttled figure,
 * but that is an estimate, not a measurement on a phone.
 */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { N: 2 ** 15, r: 8, p: 1 };

/** Upper bounds for parameters read from a file, so a crafted file cannot exhaust memory or time. */
const MAX_SCRYPT_MEMORY_BYTES = 256 * 1024 * 1024;
const MAX_SCRYPT_P = 4;
const SALT_BYTES = 16;
const KEY_BYTES = nacl.secretbox.keyLength;

export type BackupErrorReason = 'not-a-backup' | 'unsupported-version' | 'wrong-passphrase' | 'damaged' | 'identity-exists';

/**
 * A backup could not be made or opened. `reason` selects the explanation the interface shows,
 * and the message is for logs.
 */
export class BackupError extends Error {
  override name = 'BackupError';
  readonly reason: BackupErrorReason;

  constructor(reason: BackupErrorReason, message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}

/** The outer, unencrypted part of a backup file, decoded. */
export interface BackupFile {
  kdf: ScryptParams & { salt: Uint8Array };
  nonce: Uint8Array;
  ciphertext: Uint8Array;
}

interface WireBackupFile {
  format: typeof BACKUP_FORMAT;
  v: number;
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  nonce: string;
  ciphertext: string;
}

/**
 * Derives the 32-byte backup key: scrypt of the NFKC-normalised passphrase. The app passes one
 * that runs `deriveBackupKey` in a Web Worker, so the page stays responsive meanwhile.
 */
export type BackupKeyDerivation = (
  passphrase: string,
  salt: Uint8Array,
  params: ScryptParams,
  onProgress: ((fraction: number) => void) | undefined,
) => Promise<Uint8Array>;

export interface SealOptions {
  randomBytes: RandomBytes;
  params?: ScryptParams;
  /** Called with the fraction of key derivation done, from 0 to 1. */
  onProgress?: (fraction: number) => void;
  /** Key derivation to use instead of `deriveBackupKey` on the calling thread. */
  deriveKey?: BackupKeyDerivation;
}

/**
 * Encrypts `plaintext` under a key derived from `passphrase` and returns the backup file text.
 * @throws RangeError when the passphrase is empty or the parameters are out of range.
 */
export async function sealBackup(plaintext: Uint8Array, passphrase: string, options: SealOptions): Promise<string> {
  const params = options.params ?? DEFAULT_SCRYPT_PARAMS;
  assertScryptParams(params);

  const salt = options.randomBytes(SALT_BYTES);
  const nonce = options.randomBytes(nacl.secretbox.nonceLength);
  const key = await (options.deriveKey ?? deriveBackupKey)(passphrase, salt, params, options.onProgress);
  const ciphertext = nacl.secretbox(plaintext, nonce, key);
  key.fill(0);

  const wire: WireBackupFile = {
    format: BACKUP_FORMAT,
    v: BACKUP_VERSION,
    kdf: { name: 'scrypt', N: params.N, r: params.r, p: params.p, salt: toBase64Url(salt) },
    nonce: toBase64Url(nonce),
    ciphertext: toBase64Url(ciphertext),
  };

  return JSON.stringify(wire);
}

/**
 * Decrypts backup file text with `passphrase` and returns the payload.
 * @throws BackupError with reason `not-a-backup`, `unsupported-version` or `damaged` when the
 *   file cannot be read, and `wrong-passphrase` when decryption fails, which a damaged
 *   ciphertext also causes.
 * @throws RangeError when the passphrase is empty.
 */
export async function openBackup(
  fileText: string,
  passphrase: string,
  onProgress?: (fraction: number) => void,
  deriveKey: BackupKeyDerivation = deriveBackupKey,
): Promise<Uint8Array> {
  const file = parseBackupFile(fileText);
  const key = await deriveKey(passphrase, file.kdf.salt, { N: file.kdf.N, r: file.kdf.r, p: file.kdf.p }, onProgress);
  const plaintext = nacl.secretbox.open(file.ciphertext, file.nonce, key);
  key.fill(0);

  if (!plaintext) throw new BackupError('wrong-passphrase', 'wrong passphrase or damaged file');

  return plaintext;
}

/**
 * Decodes and checks the outer part of a backup file without decrypting it.
 * @throws BackupError naming what is wrong.
 */
export function parseBackupFile(fileText: string): BackupFile {
  let value: unknown;
  try {
    value = JSON.parse(fileText);
  } catch (error) {
    throw new BackupError('not-a-backup', 'backup file is not JSON', { cause: error });
  }
  if (typeof value !== 'object' || value === null || (value as { format?: unknown }).format !== BACKUP_FORMAT) {
    throw new BackupError('not-a-backup', `backup file has no "format": "${BACKUP_FORMAT}" field`);
  }

  const { v, kdf, nonce, ciphertext } = value as Record<string, unknown>;
  if (v !== BACKUP_VERSION) {
    throw new BackupError('unsupported-version', `backup version ${String(v)} is not supported, expected ${BACKUP_VERSION}`);
  }
  if (typeof kdf !== 'object' || kdf === null) throw new BackupError('damaged', 'backup file has no kdf field');

  const { name, N, r, p, salt } = kdf as Record<string, unknown>;
  if (name !== 'scrypt') throw new BackupError('unsupported-version', `backup key derivation ${String(name)} is not supported`);

  const params = { N: Number(N), r: Number(r), p: Number(p) };
  try {
    assertScryptParams(params);
  } catch (error) {
    throw new BackupError('damaged', 'backup scrypt parameters are out of range', { cause: error });
  }

  return {
    kdf: { ...params, salt: decodeField(salt, 'kdf.salt', SALT_BYTES) },
    nonce: decodeField(nonce, 'nonce', nacl.secretbox.nonceLength),
    ciphertext: decodeField(ciphertext, 'ciphertext'),
  };
}

/**
 * Derives the backup key on the calling thread; see BackupKeyDerivation.
 * @throws RangeError when the passphrase is empty or the parameters are out of range.
 */
export async function deriveBackupKey(
  passphrase: string,
  salt: Uint8Array,
  params: ScryptParams,
  onProgress: ((fraction: number) => void) | undefined,
): Promise<Uint8Array> {
  if (typeof passphrase !== 'string' || passphrase.length === 0) throw new RangeError('backup passphrase is empty');
  assertScryptParams(params);

  // The same passphrase typed on another keyboard may arrive in another Unicode form.
  const password = utf8(passphrase.normalize('NFKC'));

  return scryptAsync(password, salt, {
    ...params,
    dkLen: KEY_BYTES,
    maxmem: MAX_SCRYPT_MEMORY_BYTES,
    ...(onProgress ? { onProgress } : {}),
  });
}

/** @throws RangeError unless N is a power of two above 1 and p and the memory use are within bounds. */
function assertScryptParams({ N, r, p }: ScryptParams): void {
  if (!Number.isSafeInteger(N) || N < 2 || (N & (N - 1)) !== 0) throw new RangeError(`scrypt N ${N} is not a power of two`);
  if (!Number.isSafeInteger(r) || r < 1) throw new RangeError(`scrypt r ${r} is not a positive integer`);
  if (!Number.isSafeInteger(p) || p < 1 || p > MAX_SCRYPT_P) throw new RangeError(`scrypt p ${p} is outside 1..${MAX_SCRYPT_P}`);
  // The same sum as @noble/hashes 2.4 checks against `maxmem`: N blocks, p blocks and one scratch block.
  if (128 * r * (N + p + 1) > MAX_SCRYPT_MEMORY_BYTES) {
    throw new RangeError(`scrypt N ${N}, r ${r} and p ${p} need more than ${MAX_SCRYPT_MEMORY_BYTES} bytes of memory`);
  }
}

function decodeField(value: unknown, field: string, expectedBytes?: number): Uint8Array {
  if (typeof value !== 'string') throw new BackupError('damaged', `backup file has no ${field} field`);

  let bytes: Uint8Array;
  try {
    bytes = fromBase64Url(value);
  } catch (error) {
    throw new BackupError('damaged', `backup ${field} is not base64url`, { cause: error });
  }
  if (expectedBytes !== undefined && bytes.length !== expectedBytes) {
    throw new BackupError('damaged', `backup ${field} has ${bytes.length} bytes, expected ${expectedBytes}`);
  }

  return bytes;
}
