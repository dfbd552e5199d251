/**
 * Rune wrapper around Dexie's `liveQuery`. The component reads `.current`, and Dexie reruns
 * the query whenever a transaction touches the rows it read.
 */

import { liveQuery } from 'dexie';

/**
 * Subscribes to a Dexie live query for the lifetime of the component that creates it, so it
 * must be constructed during component initialisation.
 *
 * `select` runs inside an effect, so the runes it reads (a conversation address, say) are
 * dependencies. When one changes, the old subscription ends and the query that `select`
 * returns starts anew. That query runs inside Dexie, which records the rows it reads.
 */
export class LiveQuery<T> {
  current = $state.raw<T>() as T;
  /** False until the first result of the current subscription arrives. */
  isLoaded = $state(false);
  error = $state.raw<unknown>(undefined);

  constructor(select: () => () => T | Promise<T>, initial: T) {
    this.current = initial;

    $effect(() => {
      const query = select();
      this.isLoaded = false;

      const subscription = liveQuery(query).subscribe({
        next: (value) => {
          this.current = value;
          this.isLoaded = true;
          this.error = undefined;
        },
        error: (error: unknown) => {
          this.error = error;
          console.error('[meshtext:ui] live query failed', error);
        },
      });

      return () => subscription.unsubscribe();
    });
  }
}
