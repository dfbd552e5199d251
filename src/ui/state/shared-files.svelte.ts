/**
 * Files shared to Meshtext while the user chooses their chat: loads the share the service
 * worker stored, sends it, and deletes it from the share inbox once it is sent or dismissed.
 */

import { createLogger } from '../../app/logger.ts';
import { deleteShare, readShare, type SharedFile, type SharedFilesReference } from '../../pwa/share-inbox.ts';
import { t } from '../i18n/index.ts';
import { sendSharedFiles, type ShareSender } from './send-shared-files.ts';

const log = createLogger('share');

export class SharedFiles {
  /** The shared files once loaded, empty while loading or when they were lost. */
  files = $state.raw<SharedFile[]>([]);
  isLoaded = $state(false);
  isSending = $state(false);
  /** Error message shown in place of the file list when the files cannot be offered. */
  loadError = $state<string | undefined>(undefined);
  /** One sentence per file or text that was not sent, after sending. */
  problems = $state.raw<string[]>([]);
  readonly #reference: SharedFilesReference;

  constructor(reference: SharedFilesReference) {
    this.#reference = reference;
    void this.#load();
  }

  /** Sends the files and then the text to the conversation, and deletes the stored share. */
  async send(sender: ShareSender, conversation: string, text: string): Promise<void> {
    this.isSending = true;
    try {
      this.problems = await sendSharedFiles(sender, conversation, this.files, text);
    } finally {
      this.isSending = false;
    }
    await this.discard();
  }

  /** Deletes the stored share; a failure is logged, because the share has served its purpose. */
  async discard(): Promise<void> {
    if (this.#reference.kind !== 'stored') return;

    try {
      await deleteShare(this.#reference.id);
    } catch (error) {
      log.warn('shared files not deleted', { error: String(error) });
    }
  }

  async #load(): Promise<void> {
    if (this.#reference.kind === 'error') {
      this.loadError = t('shareTarget.filesLost');
      this.isLoaded = true;
      return;
    }

    try {
      const share = await readShare(this.#reference.id);
      if (share) this.files = share.files;
      else this.loadError = t('shareTarget.filesGone');
    } catch (error) {
      log.warn('shared files not read', { error: String(error) });
      this.loadError = t('shareTarget.filesLost');
    }
    this.isLoaded = true;
  }
}
