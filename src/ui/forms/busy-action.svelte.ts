import { t, type MessageKey } from '../i18n/index.ts';
import { describeError } from '../state/error-text.ts';

/**
 * Base of the state classes whose buttons start one action at a time: runs the action,
 * disables the buttons while it runs and keeps the message of its failure.
 */
export class BusyAction {
  /** Message of the last failure, or of a problem with the input that a subclass found. */
  error = $state<string | undefined>(undefined);
  isBusy = $state(false);
  readonly #failedKey: MessageKey;

  /** `failedKey` names the message shown for a failure that carries none of its own. */
  constructor(failedKey: MessageKey) {
    this.#failedKey = failedKey;
  }

  /** Runs `action` unless one is running, clearing the last error first. */
  protected async run(action: () => Promise<void>): Promise<void> {
    if (this.isBusy) return;

    this.isBusy = true;
    this.error = undefined;
    try {
      await action();
    } catch (error) {
      this.error = describeError(error, t(this.#failedKey));
    } finally {
      this.isBusy = false;
    }
  }
}
