import type { Meshtext } from '../../app/meshtext.svelte.ts';
import { t } from '../i18n/index.ts';
import { describeError } from '../state/error-text.ts';
import { backupFileName, downloadTextFile } from './backup-file.ts';

/**
 * Shortest passphrase accepted for a new backup. scrypt slows each guess down, but a short
 * passphrase stays guessable by anyone who gets the file.
 */
export const MIN_PASSPHRASE_LENGTH = 10;

/** State of the "Back up" dialog: two passphrase fields, progress and the saved file's name. */
export class BackupForm {
  passphrase = $state('');
  repeat = $state('');
  error = $state<string | undefined>(undefined);
  /** Fraction done while the backup is being made, else undefined. */
  progress = $state<number | undefined>(undefined);
  savedFileName = $state<string | undefined>(undefined);
  isBusy = $derived(this.progress !== undefined);
  readonly #app: Meshtext;

  constructor(app: Meshtext) {
    this.#app = app;
  }

  /** Checks the passphrases, encrypts the backup and offers it as a download. */
  async submit(): Promise<void> {
    if (this.isBusy) return;

    const { passphrase } = this;
    if ([...passphrase].length < MIN_PASSPHRASE_LENGTH) {
      this.error = t('backup.errorShort', { min: MIN_PASSPHRASE_LENGTH });
      return;
    }
    if (passphrase !== this.repeat) {
      this.error = t('backup.errorMismatch');
      return;
    }

    this.error = undefined;
    this.savedFileName = undefined;
    this.progress = 0;
    try {
      const fileText = await this.#app.exportBackup(passphrase, (fraction) => {
        // Whole percents are enough for the bar and spare thousands of updates.
        this.progress = Math.floor(fraction * 100) / 100;
      });
      const fileName = backupFileName(Date.now());
      downloadTextFile(fileText, fileName);

      this.savedFileName = fileName;
      this.passphrase = '';
      this.repeat = '';
    } catch (error) {
      this.error = describeError(error, t('backup.errorFailed'));
    } finally {
      this.progress = undefined;
    }
  }
}
