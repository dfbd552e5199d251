/**
 * Invite links point at the app with the invite in the URL fragment (`#/invite/v1.…`), so
 * that the invite never reaches a server. The main screen reads it from the page URL.
 */

const INVITE_FRAGMENT_PREFIX = '#/invite/';

export function hasInviteInLocation(): boolean {
  return location.hash.startsWith(INVITE_FRAGMENT_PREFIX);
}

/**
 * Returns the full invite link when the page URL carries one, and removes the fragment from
 * the address bar and history so that a reload does not offer the same invite again.
 */
export function takeInviteFromLocation(): string | undefined {
  if (!hasInviteInLocation()) return undefined;

  const link = location.href;
  history.replaceState(history.state, '', `${location.pathname}${location.search}`);

  return link;
}

const GROUP_FRAGMENT_PREFIX = '#/group/';

/** Returns the full group join link when the page URL carries one, and removes it from the address bar. */
export function takeGroupLinkFromLocation(): string | undefined {
  if (!location.hash.startsWith(GROUP_FRAGMENT_PREFIX)) return undefined;

  const link = location.href;
  history.replaceState(history.state, '', `${location.pathname}${location.search}`);

  return link;
}
