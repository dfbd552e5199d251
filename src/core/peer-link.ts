/**
 * One authenticated link to a peer over a raw channel: runs the handshake, then seals and opens
 * payloads with the session, and watches liveness with its own pings, because a data channel can
 * report itself open long after the other side died. Once ready, payloads go out through a
 * send scheduler (flow control, urgent before bulk, fragments under 16 KiB) and come in through
 * a reassembler.
 */

import type { Card } from './card.ts';
import type { HandshakeContext, InitiatorState, ResponderState } from './crypto/handshake.ts';
import { answerHandshake, completeHandshake, finishHandshake, MisaddressedHelloError, startHandshake } from './crypto/handshake.ts';
import { encodeReject, RejectReason } from './crypto/reject-frame.ts';
import type { Session } from './crypto/session.ts';
import { DecryptError, FrameError, HandshakeError } from './errors.ts';
import type { FilePartPayload } from './files/file-payloads.ts';
import { BINARY_PAYLOAD_MARKER, decodeFilePart } from './files/file-payloads.ts';
import type { WirePayload } from './messages.ts';
import { decodePayload, encodePayload } from './messages.ts';
import { Reassembler } from './transfer/reassembler.ts';
import { SendScheduler } from './transfer/send-scheduler.ts';
import type { Clock, Logger } from './ports.ts';
import type { RawChannel } from './transport-port.ts';

export const HANDSHAKE_TIMEOUT_MS = 10_000;
export const PING_INTERVAL_MS = 4_000;
export const LINK_SILENCE_LIMIT_MS = 10_000;
/** Time within which a probed link must send a frame before it counts as dead. */
export const PROBE_TIMEOUT_MS = 3_000;
/**
 * Time the channel stays open after a Reject frame went out, unless the peer closes it first.
 * Closing at once could drop the frame: PeerJS closes the whole RTCPeerConnection, which
 * discards data still queued in the data channel.
 */
export const REJECT_LINGER_MS = 2_000;

/**
 * Time a ready link stays open without a chat message or receipt either way; pings do not count.
 * An idle link still keeps a peer connection open, and browsers limit those per page.
 */
export const IDLE_LINK_TIMEOUT_MS = 120_000;

export type LinkCloseReason =
  | 'closed'
  | 'handshake-failed'
  | 'handshake-timeout'
  | 'silent'
  | 'bad-frame'
  | 'replaced'
  | 'idle'
  | 'evicted';

/** Anything a ready link delivers: a JSON payload or a binary file part. */
export type LinkPayload = WirePayload | FilePartPayload;

export interface PeerLinkEvents {
  onReady(link: PeerLink): void;
  onPayload(link: PeerLink, payload: LinkPayload): void;
  onClosed(link: PeerLink, reason: LinkCloseReason, error?: Error): void;
  /** A payload of a ready link failed validation and was dropped; the link stays open. */
  onRejectedPayload?(link: PeerLink, error: FrameError): void;
}

export interface PeerLinkOptions {
  channel: RawChannel;
  context: HandshakeContext;
  /** The stored card of the peer: required to dial, optional when accepting a channel. */
  knownCard: Card | undefined;
  clock: Clock;
  logger: Logger;
  events: PeerLinkEvents;
  /** See MessengerOptions.onSeal. */
  onSeal?(keyId: string, nonce: bigint): void;
}

type LinkState =
  | { phase: 'waiting-hello' }
  | { phase: 'waiting-reply'; initiator: InitiatorState }
  | { phase: 'waiting-finish'; responder: ResponderState }
  | { phase: 'ready'; session: Session; scheduler: SendScheduler }
  | { phase: 'closed' };

export class PeerLink {
  readonly channel: RawChannel;
  remoteCard: Card | undefined;
  #options: PeerLinkOptions;
  #state: LinkState = { phase: 'waiting-hello' };
  #lastHeardAt: number;
  #lastChatAt: number;
  #timer: ReturnType<typeof setInterval> | undefined;
  #startedAt: number;
  #probeTimer: ReturnType<typeof setTimeout> | undefined;
  #reassembler = new Reassembler();

  constructor(options: PeerLinkOptions) {
    this.#options = options;
    this.channel = options.channel;
    this.remoteCard = options.knownCard;
    this.#startedAt = options.clock.now();
    this.#lastHeardAt = this.#startedAt;
    this.#lastChatAt = this.#startedAt;
  }

  /** Time of the last chat message or receipt sent or received, or of the link's start. */
  get lastChatAt(): number {
    return this.#lastChatAt;
  }

  get remoteAddress(): string {
    return this.channel.remoteAddress;
  }

  get isReady(): boolean {
    return this.#state.phase === 'ready';
  }

  get isClosed(): boolean {
    return this.#state.phase === 'closed';
  }

  /** Attaches to the channel and, as initiator, sends Hello. */
  start(): void {
    const { channel, knownCard, context } = this.#options;

    channel.listen({
      onFrame: (frame) => this.#handleFrame(frame),
      onClose: () => this.close('closed'),
      onDrain: () => this.#pump(),
    });
    this.#timer = setInterval(() => this.#checkLiveness(), PING_INTERVAL_MS);

    if (channel.isInitiator) {
      if (!knownCard) throw new Error('cannot dial a peer whose card is unknown');
      const { state, hello } = startHandshake(context, channel.remoteAddress, knownCard.boxPublicKey);
      this.#state = { phase: 'waiting-reply', initiator: state };
      channel.send(hello);
    }
  }

  /**
   * Sends a payload on the urgent lane, ahead of queued file parts; returns false when the link
   * is not ready. A payload over one frame goes out in fragments.
   */
  send(payload: WirePayload): boolean {
    if (this.#state.phase !== 'ready') return false;

    if (payload.t === 'msg' || payload.t === 'ack' || payload.t === 'grp' || payload.t === 'file-want') this.#lastChatAt = this.#options.clock.now();
    this.#state.scheduler.sendUrgent(encodePayload(payload));
    return true;
  }

  /**
   * Sends a plaintext on the bulk lane, behind urgent payloads and under flow control. Resolves
   * true once it went to the channel, false when the link is not ready or closed first.
   * @throws PayloadTooLargeError when the plaintext exceeds MAX_PAYLOAD_BYTES.
   */
  sendBulk(plaintext: Uint8Array): Promise<boolean> {
    if (this.#state.phase !== 'ready') return Promise.resolve(false);

    this.#lastChatAt = this.#options.clock.now();
    return this.#state.scheduler.sendBulk(plaintext);
  }

  /** The ready link's send scheduler, for tests and diagnostics. */
  get scheduler(): SendScheduler | undefined {
    return this.#state.phase === 'ready' ? this.#state.scheduler : undefined;
  }

  /**
   * Pings now and closes the link unless some frame arrives within PROBE_TIMEOUT_MS. Used when
   * the relay reports that the peer left, because the data channel may still look open
   * although it is dead.
   */
  probe(): void {
    if (this.#state.phase !== 'ready' || this.#probeTimer) return;

    const heardBefore = this.#lastHeardAt;
    this.send({ t: 'ping' });
    this.#probeTimer = setTimeout(() => {
      this.#probeTimer = undefined;
      if (this.#lastHeardAt === heardBefore) this.close('silent');
    }, PROBE_TIMEOUT_MS);
  }

  close(reason: LinkCloseReason, error?: Error): void {
    if (this.#state.phase === 'closed') return;

    this.#stop();
    this.channel.close();
    this.#options.events.onClosed(this, reason, error);
  }

  #stop(): void {
    if (this.#state.phase === 'ready') this.#state.scheduler.close();
    this.#reassembler.clear();
    this.#state = { phase: 'closed' };
    clearInterval(this.#timer);
    clearTimeout(this.#probeTimer);
  }

  /**
   * Sends a Reject frame in reply to a Hello sealed to another key and reports the link closed.
   * The channel closes once the peer has closed it or REJECT_LINGER_MS has passed.
   */
  #rejectHello(error: MisaddressedHelloError): void {
    const channel = this.channel;

    this.#stop();
    channel.send(encodeReject(RejectReason.NotSealedToThisKey));
    setTimeout(() => channel.close(), REJECT_LINGER_MS);
    this.#options.events.onClosed(this, 'handshake-failed', error);
  }

  #handleFrame(frame: Uint8Array): void {
    this.#lastHeardAt = this.#options.clock.now();

    try {
      this.#advance(frame);
    } catch (error) {
      this.#reject(error);
    }
  }

  #advance(frame: Uint8Array): void {
    const { context, knownCard, events } = this.#options;
    const state = this.#state;

    switch (state.phase) {
      case 'waiting-hello': {
        const { state: responder, reply } = answerHandshake(context, frame, this.channel.remoteAddress, knownCard);
        this.remoteCard = responder.remoteCard;
        this.#state = { phase: 'waiting-finish', responder };
        this.channel.send(reply);
        return;
      }
      case 'waiting-reply': {
        const { session, finish } = completeHandshake(state.initiator, frame);
        this.channel.send(finish);
        this.#state = { phase: 'ready', session, scheduler: this.#createScheduler(session) };
        events.onReady(this);
        return;
      }
      case 'waiting-finish': {
        const session = finishHandshake(state.responder, frame);
        this.#state = { phase: 'ready', session, scheduler: this.#createScheduler(session) };
        events.onReady(this);
        return;
      }
      case 'ready': {
        const plaintext = this.#reassemble(state.session.open(frame));
        if (!plaintext) return;

        const payload = plaintext[0] === BINARY_PAYLOAD_MARKER ? decodeFilePart(plaintext) : decodePayload(plaintext);
        if (payload.t === 'ping') this.send({ t: 'pong' });
        else if (payload.t !== 'pong') {
          this.#lastChatAt = this.#lastHeardAt;
          events.onPayload(this, payload);
        }
        return;
      }
      case 'closed':
        return;
    }
  }

  #createScheduler(session: Session): SendScheduler {
    return new SendScheduler(this.channel, (plaintext) => {
      const nonce = session.sentFrames;
      const frame = session.seal(plaintext);
      this.#options.onSeal?.(session.sendKeyId, nonce);

      return frame;
    });
  }

  #pump(): void {
    if (this.#state.phase === 'ready') this.#state.scheduler.pump();
  }

  /**
   * Passes an opened plaintext through the reassembler. A broken fragment stream cannot be
   * resumed, so its FrameError becomes a DecryptError, which closes the link.
   */
  #reassemble(plaintext: Uint8Array): Uint8Array | undefined {
    try {
      return this.#reassembler.accept(plaintext);
    } catch (error) {
      throw new DecryptError(`fragment stream broken: ${String(error)}`, { cause: error });
    }
  }

  #reject(error: unknown): void {
    const { logger } = this.#options;
    const fields = { peer: this.remoteAddress.slice(0, 12), phase: this.#state.phase, error: String(error) };

    if (error instanceof MisaddressedHelloError && this.#state.phase === 'waiting-hello') {
      logger.warn('hello for another key rejected', fields);
      this.#rejectHello(error);
    } else if (error instanceof HandshakeError) {
      logger.warn('handshake rejected', fields);
      this.close('handshake-failed', error);
    } else if (error instanceof DecryptError || error instanceof FrameError) {
      logger.warn('frame rejected', fields);
      // A frame that fails inside an established session breaks the counter stream, and one
      // during the handshake means the peer does not speak this protocol: either way, start over.
      if (this.#state.phase !== 'ready' || error instanceof DecryptError) this.close('bad-frame', error);
      else this.#options.events.onRejectedPayload?.(this, error);
    } else {
      logger.error('link failed', fields);
      this.close('bad-frame', error instanceof Error ? error : new Error(String(error)));
    }
  }

  #checkLiveness(): void {
    const now = this.#options.clock.now();

    if (this.#state.phase !== 'ready') {
      if (now - this.#startedAt > HANDSHAKE_TIMEOUT_MS) this.close('handshake-timeout');
      return;
    }
    if (now - this.#lastHeardAt > LINK_SILENCE_LIMIT_MS) {
      this.close('silent');
      return;
    }
    if (now - this.#lastChatAt > IDLE_LINK_TIMEOUT_MS) {
      this.close('idle');
      return;
    }

    this.send({ t: 'ping' });
    // A safety net for a channel whose drain event was missed: sending resumes within one ping.
    this.#pump();
  }
}
