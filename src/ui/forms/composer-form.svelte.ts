import type { Meshtext } from '../../app/meshtext.svelte.ts';
import { t } from '../i18n/index.ts';
import { describeError } from '../state/error-text.ts';
import { takePendingDraft } from '../state/pending-draft.ts';

/** State of the message composer of one conversation. */
export class ComposerForm {
  draft = $state('');
  error = $state<string | undefined>(undefined);
  canSend = $derived(this.draft.trim().length > 0);
  readonly #app: Meshtext;
  readonly #conversation: string;

  constructor(app: Meshtext, conversation: string) {
    this.#app = app;
    this.#conversation = conversation;
    this.draft = takePendingDraft(conversation) ?? '';
  }

  /**
   * Queues the draft for sending. The composer empties at once, so a second Enter cannot send
   * the text twice. When storing fails, the text comes back into the empty composer with an
   * error, so nothing typed is lost.
   */
  async submit(): Promise<void> {
    if (!this.canSend) return;

    const text = this.draft;
    this.draft = '';
    this.error = undefined;
    try {
      await this.#app.sendText(this.#conversation, text);
    } catch (error) {
      if (this.draft === '') this.draft = text;
      this.error = describeError(error, t('composer.errorFailed'));
    }
  }
}
