/** Group name rules, shared by local actions and by the checks on entries from peers. */

export const MAX_GROUP_NAME_LENGTH = 64;

/**
 * Trims a group name, collapses white space and checks its length.
 * @throws RangeError when the name is empty or longer than MAX_GROUP_NAME_LENGTH; TypeError when it is not a string.
 */
export function checkGroupName(name: unknown): string {
  if (typeof name !== 'string') throw new TypeError('group name is not a string');

  const trimmed = name.trim().replace(/\s+/g, ' ');
  if (trimmed.length === 0) throw new RangeError('group name is empty');
  if (trimmed.length > MAX_GROUP_NAME_LENGTH) throw new RangeError(`group name is longer than ${MAX_GROUP_NAME_LENGTH} characters`);
  if (trimmed !== name) throw new RangeError('group name is not trimmed');

  return trimmed;
}

/** Trims and collapses a name typed by the user, then checks it. */
export function normaliseGroupName(name: string): string {
  return checkGroupName(name.trim().replace(/\s+/g, ' '));
}
