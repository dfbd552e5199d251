import type { ChannelHandlers, RawChannel, Transport, TransportHandlers } from '../../src/core/transport-port.ts';
import { CHANNEL_LOW_WATER_BYTES } from '../../src/core/transport-port.ts';

/**
 * What the network does with one frame: carry it, lose it, carry it twice, or hold it back
 * until the next frame on the same channel end has gone ahead of it.
 */
export type FrameFate = 'deliver' | 'drop' | 'duplicate' | 'hold';

/**
 * Channel end that hands frames to its twin on the next microtask, like a reliable ordered link.
 * Frames count in its buffered amount until the twin has them, and the end reports a drain when
 * the amount falls to CHANNEL_LOW_WATER_BYTES, as RTCDataChannel does with its low threshold.
 */
class MemoryChannel implements RawChannel {
  twin: MemoryChannel | undefined;
  bufferedAmount = 0;
  #handlers: ChannelHandlers | undefined;
  #pending: Uint8Array[] = [];
  /** Frames held back by a 'hold' fate, carried after the next frame sent on this end. */
  #held: Uint8Array[] = [];
  #isClosed = false;

  constructor(
    readonly remoteAddress: string,
    readonly isInitiator: boolean,
    private readonly network: MemoryNetwork,
  ) {}

  listen(handlers: ChannelHandlers): void {
    this.#handlers = handlers;
    for (const frame of this.#pending.splice(0)) handlers.onFrame(frame);
    if (this.#isClosed) handlers.onClose();
  }

  send(frame: Uint8Array): void {
    if (this.#isClosed) return;
    if (this.network.isSilenced(this.remoteAddress) || (this.twin && this.network.isSilenced(this.twin.remoteAddress))) return;

    const carried = this.network.tamper?.(frame.slice()) ?? frame.slice();
    this.network.wire.push(carried);
    const fate = this.network.faults?.(carried) ?? 'deliver';
    if (fate === 'drop') return;
    if (fate === 'hold') {
      this.#held.push(carried);
      return;
    }

    const frames = fate === 'duplicate' ? [carried, carried] : [carried];
    this.#carry([...frames, ...this.#held.splice(0)]);
  }

  /** Carries the frames held back on this end, late, as the network heals. */
  releaseHeld(): void {
    if (this.#isClosed) return;

    this.#carry(this.#held.splice(0));
  }

  #carry(frames: Uint8Array[]): void {
    const twin = this.twin;
    for (const frame of frames) {
      this.bufferedAmount += frame.length;
      this.network.peakBufferedBytes = Math.max(this.network.peakBufferedBytes, this.bufferedAmount);
      queueMicrotask(() => {
        this.#drained(frame.length);
        twin?.receive(frame.slice());
      });
    }
  }

  #drained(bytes: number): void {
    const before = this.bufferedAmount;
    this.bufferedAmount -= bytes;
    if (before > CHANNEL_LOW_WATER_BYTES && this.bufferedAmount <= CHANNEL_LOW_WATER_BYTES && !this.#isClosed) {
      this.network.drainEvents++;
      this.#handlers?.onDrain?.();
    }
  }

  receive(frame: Uint8Array): void {
    if (this.#isClosed) return;
    if (this.#handlers) this.#handlers.onFrame(frame);
    else this.#pending.push(frame);
  }

  close(): void {
    if (this.#isClosed) return;

    this.#isClosed = true;
    this.#handlers?.onClose();
    this.twin?.close();
  }
}

/** In-memory relay plus data channels, for unit tests of the core. */
export class MemoryNetwork {
  /** Every frame any channel carried, to check what an eavesdropper would see. */
  wire: Uint8Array[] = [];
  dials = 0;
  /** Largest buffered amount any channel end reached. */
  peakBufferedBytes = 0;
  /** Drain reports of all channel ends. */
  drainEvents = 0;
  /** When true, dials never open a channel, as on Wi-Fi that isolates devices from each other. */
  blockDirectLinks = false;
  /** Rewrites frames in flight when set, like an attacker on the path would. */
  tamper: ((frame: Uint8Array) => Uint8Array) | undefined;
  /** Picks the fate of each frame in flight when set; unset, every frame arrives once, in order. */
  faults: ((frame: Uint8Array) => FrameFate) | undefined;
  /**
   * Delay in milliseconds before the dialled node receives a channel, when set. The slow exchange of
   * offer and reply through the relay makes one dial arrive after another.
   */
  channelDelayMs: ((from: string, to: string) => number) | undefined;
  #nodes = new Map<string, MemoryTransport>();
  /** The last transport each address joined with, kept while the node is silenced. */
  #joined = new Map<string, MemoryTransport>();
  #channels: MemoryChannel[] = [];
  #silenced = new Set<string>();

  transportFor(address: string): MemoryTransport {
    return new MemoryTransport(address, this);
  }

  join(node: MemoryTransport): void {
    this.#silenced.delete(node.address);
    this.#nodes.set(node.address, node);
    this.#joined.set(node.address, node);
    for (const other of this.#nodes.values()) other.notify(node.address, true);
  }

  leave(address: string): void {
    this.#nodes.delete(address);
    for (const channel of this.#channels) {
      if (channel.remoteAddress === address) channel.close();
    }
    for (const other of this.#nodes.values()) other.notify(address, false);
  }

  /**
   * Makes a node vanish the way a crashed device does: the relay reports it gone, but its
   * channels stay open and swallow every frame.
   */
  silence(address: string): void {
    this.#silenced.add(address);
    this.#nodes.delete(address);
    for (const other of this.#nodes.values()) other.notify(address, false);
  }

  /** Ends a silence: the node's channels carry frames again and the relay reports it back. */
  unsilence(address: string): void {
    const node = this.#joined.get(address);
    if (!this.#silenced.delete(address) || !node) return;

    this.#nodes.set(address, node);
    for (const other of this.#nodes.values()) {
      if (other !== node) other.notify(address, true);
    }
    // Back on the relay, the node hears again who of its watch list is online.
    node.watch(node.watched);
  }

  /** Closes every channel between two nodes, as a dropped peer connection does. Both stay on the relay. */
  cut(first: string, second: string): void {
    for (const channel of this.#channels) {
      if (channel.remoteAddress === second && channel.twin?.remoteAddress === first) channel.close();
    }
  }

  /** Turns faults off, ends every silence and carries all held-back frames. */
  heal(): void {
    this.faults = undefined;
    for (const address of [...this.#silenced]) this.unsilence(address);
    for (const channel of this.#channels) channel.releaseHeld();
  }

  isSilenced(address: string): boolean {
    return this.#silenced.has(address);
  }

  isOnline(address: string): boolean {
    return this.#nodes.has(address);
  }

  /** Dials from the node at `from` as its messenger would, for tests that cross two dials. */
  dialFrom(from: string, to: string): void {
    const node = this.#nodes.get(from);
    if (node) this.dial(node, to);
  }

  dial(from: MemoryTransport, to: string): void {
    this.dials++;
    const target = this.#nodes.get(to);
    if (!target || !this.#nodes.has(from.address) || this.blockDirectLinks) return;

    const outgoing = new MemoryChannel(to, true, this);
    const incoming = new MemoryChannel(from.address, false, this);
    outgoing.twin = incoming;
    incoming.twin = outgoing;
    this.#channels.push(outgoing, incoming);
    const delayMs = this.channelDelayMs?.(from.address, to) ?? 0;
    queueMicrotask(() => {
      from.handlers?.onChannel(outgoing);
      if (delayMs === 0) target.handlers?.onChannel(incoming);
    });
    if (delayMs > 0) setTimeout(() => target.handlers?.onChannel(incoming), delayMs);
  }
}

export class MemoryTransport implements Transport {
  handlers: TransportHandlers | undefined;
  #watched = new Set<string>();

  constructor(
    readonly address: string,
    private readonly network: MemoryNetwork,
  ) {}

  attach(handlers: TransportHandlers): void {
    this.handlers = handlers;
    this.network.join(this);
  }

  get watched(): string[] {
    return [...this.#watched];
  }

  dial(address: string): void {
    this.network.dial(this, address);
  }

  watch(addresses: string[]): void {
    this.#watched = new Set(addresses);
    for (const address of addresses) {
      if (this.network.isOnline(address)) this.handlers?.onPresence(address, true);
    }
  }

  notify(address: string, isOnline: boolean): void {
    if (this.#watched.has(address)) this.handlers?.onPresence(address, isOnline);
  }
}
