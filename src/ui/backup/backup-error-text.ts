import type { BackupErrorReason } from '../../core/crypto/backup.ts';
import { t, type MessageKey } from '../i18n/index.ts';

const reasonKeys: Record<BackupErrorReason, MessageKey> = {
  'wrong-passphrase': 'restore.errorWrongPassphrase',
  'not-a-backup': 'restore.errorNotBackup',
  'unsupported-version': 'restore.errorVersion',
  damaged: 'restore.errorDamaged',
  'identity-exists': 'restore.errorIdentityExists',
};

/**
 * Returns the sentence for a BackupError, or undefined for any other error. The class is
 * recognised by name so that this module does not load the backup code and scrypt with it.
 */
export function describeBackupError(error: unknown): string | undefined {
  const { name, reason } = (error ?? {}) as { name?: unknown; reason?: unknown };
  if (name !== 'BackupError' || typeof reason !== 'string' || !(reason in reasonKeys)) return undefined;

  return t(reasonKeys[reason as BackupErrorReason]);
}
