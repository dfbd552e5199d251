/**
 * Tells other open tabs that a restore replaced the database, so they reload instead of going on
 * with the identity they loaded at start.
 */

const CHANNEL_NAME = 'meshtext-restore';
const RESTORED_MESSAGE = 'restored';

export function announceRestore(): void {
  if (typeof BroadcastChannel !== 'function') return;

  const channel = new BroadcastChannel(CHANNEL_NAME);
  channel.postMessage(RESTORED_MESSAGE);
  channel.close();
}

/** Reloads this tab when another tab announces a restore. Returns the function that stops listening. */
export function reloadWhenRestoredElsewhere(): () => void {
  if (typeof BroadcastChannel !== 'function') return () => undefined;

  const channel = new BroadcastChannel(CHANNEL_NAME);
  channel.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (event.data === RESTORED_MESSAGE) location.reload();
  });

  return () => channel.close();
}
