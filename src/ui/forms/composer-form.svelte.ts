import type { Meshtext } from '../../app/meshtext.svelte.ts';
import { FileTooLargeError } from '../../core/transfer/transfer-errors.ts';
import { t } from '../i18n/index.ts';
import { describeError } from '../state/error-text.ts';
import { formatFileSize } from '../state/format-size.ts';
import { takePendingDraft } from '../state/pending-draft.ts';
import { SendQueue } from '../state/send-queue.ts';

/** State of the message composer of one conversation. */
export class ComposerForm {
  draft = $state('');
  error = $state<string | undefined>(undefined);
  canSend = $derived(this.draft.trim().length > 0);
  readonly #app: Meshtext;
  readonly #conversation: string;
  readonly #sends = new SendQueue();

  constructor(app: Meshtext, conversation: string) {
    this.#app = app;
    this.#conversation = conversation;
    this.draft = takePendingDraft(conversation) ?? '';
  }

  /**
   * Sends a chosen file. A file over the cap or an empty one gets an error naming it and its
   * size; nothing is stored then, and the draft stays as it was.
   */
  async attach(file: File): Promise<void> {
    this.error = undefined;

    if (file.size === 0) {
      this.error = t('files.empty', { name: file.name });
      return;
    }
    try {
      await this.#sends.run(() => this.#app.sendFile(this.#conversation, file));
    } catch (error) {
      this.error =
        error instanceof FileTooLargeError
          ? t('files.tooLarge', { name: file.name, size: formatFileSize(error.sizeBytes), max: formatFileSize(error.maxBytes) })
          : describeError(error, t('files.errorFailed'));
    }
  }

  /**
   * Queues the draft for sending, after any file still being prepared. The composer empties at
   * once, so a second Enter cannot send the text twice. When storing fails, the text comes back
   * into the empty composer with an error, so nothing typed is lost.
   */
  async submit(): Promise<void> {
    if (!this.canSend) return;

    const text = this.draft;
    this.draft = '';
    this.error = undefined;
    try {
      await this.#sends.run(() => this.#app.sendText(this.#conversation, text));
    } catch (error) {
      if (this.draft === '') this.draft = text;
      this.error = describeError(error, t('composer.errorFailed'));
    }
  }
}
