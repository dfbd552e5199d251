import type { Meshtext } from '../../app/meshtext.svelte.ts';
import { t } from '../i18n/index.ts';
import { describeError } from '../state/error-text.ts';

/** The user's decisions on a contact's key change or name claim, with the state their buttons show. */
export class KeyChangeActions {
  error = $state<string | undefined>(undefined);
  isBusy = $state(false);
  readonly #app: Meshtext;
  readonly #address: string;

  constructor(app: Meshtext, address: string) {
    this.#app = app;
    this.#address = address;
  }

  /** Accepts the new keys; the app then opens the conversation at the new address. */
  async accept(): Promise<void> {
    await this.#run(() => this.#app.acceptKeyChange(this.#address));
  }

  async reject(): Promise<void> {
    await this.#run(() => this.#app.rejectKeyChange(this.#address));
  }

  async link(): Promise<void> {
    await this.#run(() => this.#app.linkNameClaim(this.#address));
  }

  async keepSeparate(): Promise<void> {
    await this.#run(() => this.#app.acceptNameClaim(this.#address));
  }

  async sendWithoutVerifying(): Promise<void> {
    await this.#run(() => this.#app.sendWithoutVerifying(this.#address));
  }

  async #run(action: () => Promise<void>): Promise<void> {
    if (this.isBusy) return;

    this.isBusy = true;
    this.error = undefined;
    try {
      await action();
    } catch (error) {
      this.error = describeError(error, t('keyChange.failed'));
    } finally {
      this.isBusy = false;
    }
  }
}
