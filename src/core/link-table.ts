/**
 * The messenger's links by peer address: one current link per peer, and beside it a link in its
 * handshake that replaces the current one once ready. It decides what a new channel becomes and
 * which link gives way at the link limit. The messenger opens, handles and closes the links.
 */

import { MAX_LIVE_LINKS, pickLinkToEvict } from './link-limits.ts';
import type { PeerLink } from './peer-link.ts';
import type { Logger } from './ports.ts';
import type { RawChannel } from './transport-port.ts';

/** Role of a new channel: the peer's link, a replacement of its ready link, or dropped. */
export type ChannelPlace = 'link' | 'replacement' | 'drop';

export interface LinkTableOptions {
  logger: Logger;
  /** Links kept open at once; defaults to MAX_LIVE_LINKS. */
  maxLiveLinks?: number;
}

export class LinkTable {
  #current = new Map<string, PeerLink>();
  #replacements = new Map<string, PeerLink>();
  #logger: Logger;
  #maxLiveLinks: number;

  constructor(options: LinkTableOptions) {
    this.#logger = options.logger;
    this.#maxLiveLinks = options.maxLiveLinks ?? MAX_LIVE_LINKS;
  }

  /** Returns the current link to a peer, ready or still in its handshake. */
  get(address: string): PeerLink | undefined {
    return this.#current.get(address);
  }

  has(address: string): boolean {
    return this.#current.has(address);
  }

  /** Returns the current links, ready or not. */
  values(): PeerLink[] {
    return [...this.#current.values()];
  }

  readyLinks(): PeerLink[] {
    return this.values().filter((link) => link.isReady);
  }

  /**
   * Decides what a new channel to a peer becomes. When both sides dial at once, the channel
   * dialled by the lower address wins on both ends, and a losing current link closes here. A
   * channel that arrives once the link is ready may come from a peer that started over (a
   * reload), or be the losing dial of a tie the peer already dropped. It becomes a replacement
   * that takes over only when its handshake completes, so a dial the peer dropped never ends a
   * working link.
   */
  place(channel: RawChannel, ownAddress: string): ChannelPlace {
    const current = this.#current.get(channel.remoteAddress);
    if (!current || current.isClosed) return 'link';
    if (current.isReady) return 'replacement';

    if (current.channel.isInitiator !== channel.isInitiator) {
      const winnerIsOwnDial = ownAddress < channel.remoteAddress;
      if (channel.isInitiator !== winnerIsOwnDial) return 'drop';
    }

    current.close('replaced');
    return 'link';
  }

  /** Adds a link where `place` put its channel. An earlier replacement still in its handshake closes. */
  add(link: PeerLink, place: Exclude<ChannelPlace, 'drop'>): void {
    const address = link.remoteAddress;
    if (place === 'link') {
      this.#current.set(address, link);
      return;
    }

    const earlier = this.#replacements.get(address);
    this.#replacements.set(address, link);
    earlier?.close('replaced');
  }

  /** Makes a replacement that became ready the peer's link, closing the one it replaces. */
  promote(link: PeerLink): void {
    const address = link.remoteAddress;
    if (this.#replacements.get(address) !== link) return;

    this.#replacements.delete(address);
    this.#current.get(address)?.close('replaced');
    this.#current.set(address, link);
  }

  /** Forgets a closed link. */
  remove(link: PeerLink): void {
    const address = link.remoteAddress;
    if (this.#current.get(address) === link) this.#current.delete(address);
    if (this.#replacements.get(address) === link) this.#replacements.delete(address);
  }

  /** Closes the link to a peer and any replacement in its handshake. */
  closeTo(address: string): void {
    this.#replacements.get(address)?.close('closed');
    this.#current.get(address)?.close('closed');
  }

  closeAll(): void {
    for (const link of [...this.#current.values(), ...this.#replacements.values()]) link.close('closed');
    this.#current.clear();
    this.#replacements.clear();
  }

  /**
   * Closes the least recently used ready link when the table is at its link limit.
   * Returns false when there is no room because every link is still in its handshake.
   */
  makeRoom(): boolean {
    if (this.#current.size < this.#maxLiveLinks) return true;

    const evicted = pickLinkToEvict(this.#current.values());
    if (!evicted) {
      this.#logger.info('link limit reached', { links: this.#current.size });
      return false;
    }

    this.#logger.debug('closing least recently used link', { peer: evicted.remoteAddress.slice(0, 12) });
    evicted.close('evicted');

    return this.#current.size < this.#maxLiveLinks;
  }
}
