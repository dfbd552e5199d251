/**
 * Queue that runs the sends of one composer one after another, in the order the user made them. A file
 * is hashed before it is queued, so without this a message typed meanwhile would overtake it.
 */
export class SendQueue {
  #last: Promise<void> = Promise.resolve();

  /** Runs `send` once every send added before it has finished, failed or not. */
  run(send: () => Promise<void>): Promise<void> {
    const next = this.#last.then(send);
    this.#last = next.catch(() => undefined);

    return next;
  }
}
