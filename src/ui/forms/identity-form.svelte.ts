import type { Meshtext } from '../../app/meshtext.svelte.ts';
import { t } from '../i18n/index.ts';
import { describeError } from '../state/error-text.ts';

/** State of the first-run form that creates the user's identity. */
export class IdentityForm {
  displayName = $state('');
  error = $state<string | undefined>(undefined);
  isBusy = $state(false);
  readonly #app: Meshtext;

  constructor(app: Meshtext) {
    this.#app = app;
  }

  /** Creates the identity; on success the app moves on to the main screen by itself. */
  async submit(): Promise<void> {
    if (this.isBusy) return;

    const name = this.displayName.trim();
    if (name.length === 0) {
      this.error = t('onboarding.errorNameEmpty');
      return;
    }

    this.isBusy = true;
    this.error = undefined;
    try {
      await this.#app.createIdentity(name);
    } catch (error) {
      this.error = describeError(error, t('onboarding.errorFailed'));
    } finally {
      this.isBusy = false;
    }
  }
}
