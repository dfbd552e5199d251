/**
 * List join links point at the app with the offer in the URL fragment (`#/join/v1.…`). The
 * main screen takes it from the page URL, as it does invites.
 */

import { JOIN_FRAGMENT_PREFIX } from '../../core/organiser/join-link.ts';

/**
 * Returns the full join link when the page URL carries one, and removes the fragment from the
 * address bar and history so that a reload does not offer it again.
 */
export function takeJoinLinkFromLocation(): string | undefined {
  if (!location.hash.startsWith(JOIN_FRAGMENT_PREFIX)) return undefined;

  const link = location.href;
  history.replaceState(history.state, '', `${location.pathname}${location.search}`);

  return link;
}
