/** Backup key derivation in a Web Worker; see backup-key-worker.ts. */

import type { BackupKeyDerivation, ScryptParams } from '../core/crypto/backup.ts';
import { deriveBackupKey } from '../core/crypto/backup.ts';

export interface BackupKeyRequest {
  passphrase: string;
  salt: Uint8Array;
  params: ScryptParams;
}

export type BackupKeyReply =
  | { type: 'progress'; fraction: number }
  | { type: 'key'; key: Uint8Array }
  | { type: 'error'; name: string; message: string };

/**
 * Derives the backup key in a new Web Worker, which ends when it is done. Without Worker
 * support it derives on the calling thread instead.
 * @throws RangeError for an empty passphrase or parameters out of range, as deriveBackupKey does;
 *   Error when the worker fails to load or run.
 */
export const deriveBackupKeyInWorker: BackupKeyDerivation = (passphrase, salt, params, onProgress) => {
  if (typeof Worker !== 'function') return deriveBackupKey(passphrase, salt, params, onProgress);

  const worker = new Worker(new URL('./backup-key-worker.ts', import.meta.url), { type: 'module', name: 'backup-key' });

  return new Promise<Uint8Array>((resolve, reject) => {
    worker.addEventListener('message', (event: MessageEvent<BackupKeyReply>) => {
      const reply = event.data;

      if (reply.type === 'progress') {
        onProgress?.(reply.fraction);
        return;
      }

      worker.terminate();
      if (reply.type === 'key') resolve(reply.key);
      else reject(reply.name === 'RangeError' ? new RangeError(reply.message) : new Error(`backup key derivation failed: ${reply.message}`));
    });
    worker.addEventListener('error', (event) => {
      worker.terminate();
      reject(new Error(`backup key worker failed: ${event.message || 'it could not be loaded'}`));
    });

    const request: BackupKeyRequest = { passphrase, salt, params: { N: params.N, r: params.r, p: params.p } };
    worker.postMessage(request);
  });
};
