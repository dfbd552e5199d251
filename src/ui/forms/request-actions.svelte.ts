import type { Meshtext } from '../../app/meshtext.svelte.ts';
import { t } from '../i18n/index.ts';
import { describeError } from '../state/error-text.ts';

/** Accepting or blocking a message request, with the state its buttons show. */
export class RequestActions {
  error = $state<string | undefined>(undefined);
  isBusy = $state(false);
  readonly #app: Meshtext;
  readonly #address: string;

  constructor(app: Meshtext, address: string) {
    this.#app = app;
    this.#address = address;
  }

  /** Accepts the request. Pass `isNameClaimConfirmed` only from the second, explicit confirmation. */
  async accept({ isNameClaimConfirmed = false } = {}): Promise<void> {
    await this.#run(() => this.#app.acceptRequest(this.#address, { isNameClaimConfirmed }));
  }

  /** Blocks the sender and closes the chat, since blocked senders leave the list. */
  async block(): Promise<void> {
    await this.#run(async () => {
      await this.#app.block(this.#address);
      await this.#app.open(undefined);
    });
  }

  async #run(action: () => Promise<void>): Promise<void> {
    if (this.isBusy) return;

    this.isBusy = true;
    this.error = undefined;
    try {
      await action();
    } catch (error) {
      this.error = describeError(error, t('chat.actionFailed'));
    } finally {
      this.isBusy = false;
    }
  }
}
