/**
 * RawChannel over a PeerJS DataConnection opened reliable (ordered) with raw serialization, so
 * frames cross as bytes with no PeerJS framing. Closing is decided by the channel's own events
 * and the peer connection's state, not by PeerJS's `open` flag, which can stay true after the
 * other side died. The buffered amount and the drain report come from the RTCDataChannel
 * underneath. PeerJS 1.5.5 buffers on its own only above 8 MiB (`DataConnection.MAX_BUFFERED_AMOUNT`),
 * which the core's flow control, pausing at 256 KiB, never reaches.
 */

import type { DataConnection } from 'peerjs';
import type { ChannelHandlers, RawChannel } from '../core/transport-port.ts';
import { CHANNEL_LOW_WATER_BYTES } from '../core/transport-port.ts';

export class PeerJsChannel implements RawChannel {
  readonly remoteAddress: string;
  readonly isInitiator: boolean;
  readonly connection: DataConnection;
  #handlers: ChannelHandlers | undefined;
  #pending: Uint8Array[] = [];
  #isClosed = false;

  constructor(connection: DataConnection, isInitiator: boolean) {
    this.connection = connection;
    this.remoteAddress = connection.peer;
    this.isInitiator = isInitiator;

    connection.on('data', (data) => this.#receive(data));
    connection.on('close', () => this.close());
    connection.on('error', () => this.close());
  }

  /** Bytes waiting in the RTCDataChannel, or 0 before it exists. */
  get bufferedAmount(): number {
    return this.connection.dataChannel?.bufferedAmount ?? 0;
  }

  /**
   * Starts watching the underlying RTCPeerConnection and data channel; call once the connection
   * is open, when both exist.
   */
  watchPeerConnection(): void {
    const dataChannel = this.connection.dataChannel;
    dataChannel.bufferedAmountLowThreshold = CHANNEL_LOW_WATER_BYTES;
    dataChannel.addEventListener('bufferedamountlow', () => {
      if (!this.#isClosed) this.#handlers?.onDrain?.();
    });

    const peerConnection = this.connection.peerConnection;
    peerConnection?.addEventListener('connectionstatechange', () => {
      const state = peerConnection.connectionState;
      if (state === 'failed' || state === 'closed' || state === 'disconnected') this.close();
    });
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  listen(handlers: ChannelHandlers): void {
    this.#handlers = handlers;
    for (const frame of this.#pending.splice(0)) handlers.onFrame(frame);
    if (this.#isClosed) handlers.onClose();
  }

  send(frame: Uint8Array): void {
    if (this.#isClosed) return;

    try {
      void this.connection.send(frame);
    } catch {
      this.close();
    }
  }

  close(): void {
    if (this.#isClosed) return;

    this.#isClosed = true;
    this.connection.close();
    this.#handlers?.onClose();
  }

  #receive(data: unknown): void {
    if (this.#isClosed) return;

    let frame: Uint8Array;
    if (data instanceof ArrayBuffer) frame = new Uint8Array(data);
    else if (ArrayBuffer.isView(data)) frame = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    else return;

    if (this.#handlers) this.#handlers.onFrame(frame);
    else this.#pending.push(frame);
  }
}
