import { GroupActionError, GroupDataError } from '../../core/groups/group-errors.ts';

/**
 * Turns a failed group action into a sentence for the screen. Group and input errors from the
 * core explain the problem in plain words; any other error is logged and `fallback` is shown.
 */
export function describeGroupError(error: unknown, fallback: string): string {
  if (error instanceof GroupActionError || error instanceof GroupDataError || error instanceof RangeError) {
    return error.message.charAt(0).toUpperCase() + error.message.slice(1);
  }

  console.error('[meshtext:ui] group action failed', error);

  return fallback;
}
