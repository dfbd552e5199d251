/** Named errors of the group layer. */

/** Group data from a peer is malformed, unsigned, unauthorised or does not fit the log. */
export class GroupDataError extends Error {
  override name = 'GroupDataError';
}

/** A local group action is not allowed: not an admin, not a member, or no current group key. */
export class GroupActionError extends Error {
  override name = 'GroupActionError';
}
