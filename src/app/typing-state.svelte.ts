/**
 * Contacts typing right now. The state is ephemeral on purpose: it lives only in the tab that
 * talks to the network and ends by itself TYPING_DISPLAY_MS after the last signal.
 */

import { SvelteSet } from 'svelte/reactivity';
import { TYPING_DISPLAY_MS } from '../core/typing.ts';

export class TypingState {
  readonly addresses = new SvelteSet<string>();
  // Timers are never rendered, so they need no reactivity.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #timers = new Map<string, ReturnType<typeof setTimeout>>();

  /** Records a signal: "typing" shows for TYPING_DISPLAY_MS, "stopped" ends it at once. */
  set(address: string, isTyping: boolean): void {
    clearTimeout(this.#timers.get(address));
    this.#timers.delete(address);

    if (!isTyping) {
      this.addresses.delete(address);
      return;
    }
    this.addresses.add(address);
    this.#timers.set(
      address,
      setTimeout(() => this.set(address, false), TYPING_DISPLAY_MS),
    );
  }

  clear(): void {
    for (const address of [...this.addresses]) this.set(address, false);
  }
}
