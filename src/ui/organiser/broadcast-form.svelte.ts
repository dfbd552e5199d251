import type { Meshtext } from '../../app/meshtext.svelte.ts';
import type { PreviewRow } from '../../core/organiser/broadcaster.ts';
import type { PlaceholderFallbacks } from '../../core/organiser/template.ts';
import { t } from '../i18n/index.ts';
import { describeBroadcastError } from './organiser-error-text.ts';

/** Words a copy gets where the recipient's name is missing, from the catalog. */
export function placeholderFallbacks(): PlaceholderFallbacks {
  return { name: t('broadcast.fallbackName'), first: t('broadcast.fallbackFirst') };
}

/** State of the broadcast composer: chosen lists, the template, its preview and the send action. */
export class BroadcastForm {
  listIds = $state<string[]>([]);
  text = $state('');
  preview = $state.raw<PreviewRow[]>([]);
  /** Problem with the template or the choice, shown as the user types. */
  error = $state<string | undefined>(undefined);
  isBusy = $state(false);
  readonly #app: Meshtext;
  #previewRun = 0;

  constructor(app: Meshtext) {
    this.#app = app;
  }

  /** Number of copies the send button would queue. */
  get sendCount(): number {
    return this.preview.filter((row) => row.outcome === 'pending').length;
  }

  /** Renders the preview for the current lists and text; an older run's result is discarded. */
  async refreshPreview(): Promise<void> {
    const run = ++this.#previewRun;
    const text = this.text;
    const audience = { listIds: [...this.listIds] };

    if (text.trim() === '' || audience.listIds.length === 0) {
      this.preview = [];
      this.error = undefined;
      return;
    }

    try {
      const rows = await this.#app.organiser.broadcasts.preview(text, audience, placeholderFallbacks());
      if (run !== this.#previewRun) return;
      this.preview = rows;
      this.error = undefined;
    } catch (error) {
      if (run !== this.#previewRun) return;
      this.preview = [];
      this.error = describeBroadcastError(error);
    }
  }

  /** Stores and queues the broadcast. Returns its id, or undefined when it was not sent. */
  async submit(): Promise<string | undefined> {
    if (this.isBusy) return undefined;

    this.isBusy = true;
    this.error = undefined;
    try {
      return await this.#app.organiser.broadcasts.send(this.text, { listIds: [...this.listIds] }, placeholderFallbacks());
    } catch (error) {
      this.error = describeBroadcastError(error);
      return undefined;
    } finally {
      this.isBusy = false;
    }
  }
}
