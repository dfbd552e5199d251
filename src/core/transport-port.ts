/**
 * What the core needs from the network. The app implements it with PeerJS data channels and the
 * relay's control socket; tests use an in-memory network. The core does its own handshake and
 * encryption on top, so a channel only moves opaque frames.
 */

/**
 * Buffered amount at or below which a channel reports that it drained. Adapters set their
 * channel's low threshold to it (`RTCDataChannel.bufferedAmountLowThreshold`).
 */
export const CHANNEL_LOW_WATER_BYTES = 64 * 1024;

export interface ChannelHandlers {
  onFrame(frame: Uint8Array): void;
  onClose(): void;
  /** Called when the buffered amount falls to CHANNEL_LOW_WATER_BYTES or below. */
  onDrain?(): void;
}

/** One reliable, ordered data channel to a peer. */
export interface RawChannel {
  /** Address the relay reports the other side registered under; the handshake checks it. */
  readonly remoteAddress: string;
  /** True on the side that dialled. */
  readonly isInitiator: boolean;
  /** Attaches the handlers; frames that arrived earlier are delivered right away. */
  listen(handlers: ChannelHandlers): void;
  /**
   * Bytes handed to send() and not yet passed to the network. A channel that cannot tell leaves
   * it undefined, and then the core sends without pausing.
   */
  readonly bufferedAmount?: number;
  /** Sends one frame; does nothing once the channel is closed. */
  send(frame: Uint8Array): void;
  close(): void;
}

export interface TransportHandlers {
  onChannel(channel: RawChannel): void;
  onPresence(address: string, isOnline: boolean): void;
}

export interface Transport {
  /** Registers the handlers; called once by the core before anything else. */
  attach(handlers: TransportHandlers): void;
  /** Opens a channel to a peer; success arrives through onChannel, failure is silent. */
  dial(address: string): void;
  /** Sets the addresses whose presence the core wants to hear about. */
  watch(addresses: string[]): void;
}
