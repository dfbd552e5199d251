import { InviteError } from '../../core/errors.ts';

/**
 * Turns a failed action into a sentence for the screen. Invite and input errors from the core
 * already explain the problem in plain words, so their message is shown with a capital
 * first letter. Any other error is unexpected, so it is logged and `fallback` is shown instead.
 */
export function describeError(error: unknown, fallback: string): string {
  if (error instanceof InviteError || error instanceof RangeError) return capitalise(error.message);

  console.error('[meshtext:ui] action failed', error);

  return fallback;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
