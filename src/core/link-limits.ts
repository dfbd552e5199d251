/** How many links the messenger keeps open, and which one gives way when there are too many. */

import type { PeerLink } from './peer-link.ts';

/**
 * Links kept open at once. Each link is one RTCPeerConnection, which browsers limit per page and
 * which uses sockets and memory, so a messenger with many contacts keeps only the recently
 * used ones. The value is a judgement, not a measured browser limit.
 */
export const MAX_LIVE_LINKS = 24;

/**
 * Picks the link to close to make room for a new one: the ready link with the oldest chat
 * activity. Links still in their handshake are never picked, because they are about to carry
 * something. Returns undefined when every link is busy with a handshake.
 */
export function pickLinkToEvict(links: Iterable<PeerLink>): PeerLink | undefined {
  let oldest: PeerLink | undefined;

  for (const link of links) {
    if (!link.isReady) continue;
    if (!oldest || link.lastChatAt < oldest.lastChatAt) oldest = link;
  }

  return oldest;
}
