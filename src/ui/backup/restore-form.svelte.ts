import type { Meshtext } from '../../app/meshtext.svelte.ts';
import { t } from '../i18n/index.ts';
import { describeError } from '../state/error-text.ts';
import { describeBackupError } from './backup-error-text.ts';
import { MAX_BACKUP_FILE_BYTES } from './backup-file.ts';
import { announceRestore } from './restore-channel.ts';

/**
 * State of the "Restore from backup" dialog. On first run a restore leads straight to the main
 * screen. Over an existing identity the user must confirm replacing it, and after the restore
 * every open tab reloads with the restored identity.
 */
export class RestoreForm {
  file = $state.raw<File | undefined>(undefined);
  passphrase = $state('');
  isReplaceConfirmed = $state(false);
  error = $state<string | undefined>(undefined);
  /** Fraction done while restoring, else undefined. */
  progress = $state<number | undefined>(undefined);
  isReloading = $state(false);
  isBusy = $derived(this.progress !== undefined || this.isReloading);
  /** Whether this device already has an identity, which the restore would replace. */
  readonly isReplacing: boolean;
  readonly #app: Meshtext;

  constructor(app: Meshtext) {
    this.#app = app;
    this.isReplacing = app.phase === 'ready';
  }

  /** Checks the input, decrypts and restores, then reloads the page when it replaced an identity. */
  async submit(): Promise<void> {
    if (this.isBusy) return;

    const problem = this.#findInputProblem();
    if (problem) {
      this.error = problem;
      return;
    }

    this.error = undefined;
    this.progress = 0;
    try {
      const fileText = await (this.file as File).text();
      await this.#app.importBackup(
        fileText,
        this.passphrase,
        { replaceExisting: this.isReplacing && this.isReplaceConfirmed },
        (fraction) => {
          this.progress = Math.floor(fraction * 100) / 100;
        },
      );
    } catch (error) {
      this.error = describeBackupError(error) ?? describeError(error, t('restore.errorFailed'));
      return;
    } finally {
      this.progress = undefined;
    }

    this.passphrase = '';
    if (this.isReplacing) {
      this.isReloading = true;
      announceRestore();
      location.reload();
    }
  }

  #findInputProblem(): string | undefined {
    if (!this.file) return t('restore.errorNoFile');
    if (this.file.size > MAX_BACKUP_FILE_BYTES) return t('restore.errorTooLarge');
    if (this.passphrase.length === 0) return t('restore.errorNoPassphrase');
    if (this.isReplacing && !this.isReplaceConfirmed) return t('restore.errorConfirm');

    return undefined;
  }
}
