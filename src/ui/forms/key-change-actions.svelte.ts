import type { Meshtext } from '../../app/meshtext.svelte.ts';
import { BusyAction } from './busy-action.svelte.ts';

/** The user's decisions on a contact's key change or name claim, with the state their buttons show. */
export class KeyChangeActions extends BusyAction {
  readonly #app: Meshtext;
  readonly #address: string;

  constructor(app: Meshtext, address: string) {
    super('keyChange.failed');
    this.#app = app;
    this.#address = address;
  }

  /** Accepts the new keys; the app then opens the conversation at the new address. */
  async accept(): Promise<void> {
    await this.run(() => this.#app.acceptKeyChange(this.#address));
  }

  async reject(): Promise<void> {
    await this.run(() => this.#app.rejectKeyChange(this.#address));
  }

  async link(): Promise<void> {
    await this.run(() => this.#app.linkNameClaim(this.#address));
  }

  async keepSeparate(): Promise<void> {
    await this.run(() => this.#app.acceptNameClaim(this.#address));
  }

  async sendWithoutVerifying(): Promise<void> {
    await this.run(() => this.#app.sendWithoutVerifying(this.#address));
  }
}
