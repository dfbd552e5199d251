/**
 * An established session: one key per direction and a frame counter per direction. The counter
 * is the nonce, so no (key, nonce) pair repeats within a session, and since every handshake
 * derives fresh keys from fresh ephemeral keys, none repeats across sessions either. The receiver
 * accepts only the next counter value, which rejects replayed, dropped-then-injected and
 * reordered frames (the data channel is reliable and ordered, so honest frames arrive in order).
 */

import nacl from 'tweetnacl';
import { DecryptError, FrameError } from '../errors.ts';
import { decodeFrame, encodeFrame, FrameKind } from './frame-codec.ts';

const COUNTER_BYTES = 8;

export interface SessionKeys {
  sendKey: Uint8Array;
  receiveKey: Uint8Array;
  /** Hash of the whole handshake transcript; equal on both ends. */
  transcriptHash: Uint8Array;
}

export class Session {
  #sendKey: Uint8Array;
  #receiveKey: Uint8Array;
  #sendCounter = 0n;
  #receiveCounter = 0n;
  #sendKeyId: string | undefined;
  readonly transcriptHash: Uint8Array;

  constructor(keys: SessionKeys) {
    this.#sendKey = keys.sendKey;
    this.#receiveKey = keys.receiveKey;
    this.transcriptHash = keys.transcriptHash;
  }

  /** Number of frames sealed so far, which is also the next send nonce. */
  get sentFrames(): bigint {
    return this.#sendCounter;
  }

  /**
   * A public id of the send key: the hex of the first 8 bytes of its SHA-512. Tests use it to
   * compare (key, nonce) pairs without seeing the key.
   */
  get sendKeyId(): string {
    this.#sendKeyId ??= [...nacl.hash(this.#sendKey).subarray(0, 8)].map((byte) => byte.toString(16).padStart(2, '0')).join('');

    return this.#sendKeyId;
  }

  /** Encrypts a payload into a data frame with the next send counter. */
  seal(payload: Uint8Array): Uint8Array {
    const counter = this.#sendCounter;
    this.#sendCounter += 1n;

    const body = new Uint8Array(COUNTER_BYTES + payload.length + nacl.secretbox.overheadLength);
    new DataView(body.buffer).setBigUint64(0, counter);
    body.set(nacl.secretbox(payload, counterNonce(counter), this.#sendKey), COUNTER_BYTES);

    return encodeFrame(FrameKind.Data, body);
  }

  /**
   * Decrypts a data frame. The receive counter advances only on success, so a rejected frame
   * changes nothing.
   * @throws FrameError for a malformed frame, DecryptError for a replayed, reordered or altered one.
   */
  open(frame: Uint8Array): Uint8Array {
    const { kind, body } = decodeFrame(frame);
    if (kind !== FrameKind.Data) throw new FrameError(`expected a data frame, got kind ${kind}`);
    if (body.length < COUNTER_BYTES + nacl.secretbox.overheadLength) throw new FrameError('data frame is truncated');

    const counter = new DataView(body.buffer, body.byteOffset, COUNTER_BYTES).getBigUint64(0);
    if (counter !== this.#receiveCounter) {
      throw new DecryptError(`frame counter ${counter} is not the expected ${this.#receiveCounter}`);
    }

    const payload = nacl.secretbox.open(body.subarray(COUNTER_BYTES), counterNonce(counter), this.#receiveKey);
    if (!payload) throw new DecryptError('data frame failed authentication');
    this.#receiveCounter += 1n;

    return payload;
  }
}

/** Builds the 24-byte nonce for a counter: the counter big-endian in the first 8 bytes, zeros after. */
export function counterNonce(counter: bigint): Uint8Array {
  const nonce = new Uint8Array(nacl.secretbox.nonceLength);
  new DataView(nonce.buffer).setBigUint64(0, counter);

  return nonce;
}
