/**
 * Web Worker that derives a backup key, so the page stays responsive through the scrypt run,
 * whose measured times DEFAULT_SCRYPT_PARAMS lists. It reports progress in whole percents.
 */

import type { ScryptParams } from '../core/crypto/backup.ts';
import { deriveBackupKey } from '../core/crypto/backup.ts';
import type { BackupKeyReply, BackupKeyRequest } from './worker-key-derivation.ts';

const scope = globalThis as unknown as DedicatedWorkerGlobalScope;

function reply(message: BackupKeyReply, transfer: Transferable[] = []): void {
  scope.postMessage(message, transfer);
}

scope.addEventListener('message', (event: MessageEvent<BackupKeyRequest>) => {
  const { passphrase, salt, params } = event.data;
  let lastPercent = -1;

  const report = (fraction: number): void => {
    const percent = Math.floor(fraction * 100);
    if (percent === lastPercent) return;

    lastPercent = percent;
    reply({ type: 'progress', fraction: percent / 100 });
  };

  deriveBackupKey(passphrase, salt, params satisfies ScryptParams, report).then(
    (key) => reply({ type: 'key', key }, [key.buffer]),
    (error: unknown) => {
      const { name, message } = error instanceof Error ? error : new Error(String(error));
      reply({ type: 'error', name, message });
    },
  );
});
