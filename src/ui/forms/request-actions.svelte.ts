import type { Meshtext } from '../../app/meshtext.svelte.ts';
import { BusyAction } from './busy-action.svelte.ts';

/** Accepting or blocking a message request, with the state its buttons show. */
export class RequestActions extends BusyAction {
  readonly #app: Meshtext;
  readonly #address: string;

  constructor(app: Meshtext, address: string) {
    super('chat.actionFailed');
    this.#app = app;
    this.#address = address;
  }

  /** Accepts the request. Pass `isNameClaimConfirmed` only from the second, explicit confirmation. */
  async accept({ isNameClaimConfirmed = false } = {}): Promise<void> {
    await this.run(() => this.#app.acceptRequest(this.#address, { isNameClaimConfirmed }));
  }

  /** Blocks the sender and closes the chat, since blocked senders leave the list. */
  async block(): Promise<void> {
    await this.run(async () => {
      await this.#app.block(this.#address);
      await this.#app.open(undefined);
    });
  }
}
