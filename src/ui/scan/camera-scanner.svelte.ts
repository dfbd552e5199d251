/**
 * A running QR scan: the camera stream shown in a video element and a decoder run on its frames
 * a few times a second until a code is accepted or the scan stops.
 */

import { CameraError, openRearCamera, stopStream, type CameraProblem } from './camera.ts';
import { createQrDecoder, type QrDecoder } from './qr-decoder.ts';

export type ScannerStatus =
  | { kind: 'starting' }
  | { kind: 'scanning' }
  | { kind: 'unavailable'; problem: CameraProblem };

/** Pause between two decoding attempts, which leaves the device time to draw the preview. */
const SCAN_INTERVAL_MS = 200;

export class CameraScanner {
  status = $state.raw<ScannerStatus>({ kind: 'starting' });
  readonly #onDetect: (text: string) => boolean;
  #stream: MediaStream | undefined;
  #video: HTMLVideoElement | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #isStopped = false;
  #hasLoggedFrameError = false;

  /** `onDetect` receives each decoded text and returns true to accept it, which ends the scan. */
  constructor(onDetect: (text: string) => boolean) {
    this.#onDetect = onDetect;
  }

  /** Opens the camera, shows it in `video` and starts decoding. `stop()` undoes all of it. */
  async start(video: HTMLVideoElement): Promise<void> {
    this.#video = video;

    // The decoder loads while the user answers the permission prompt.
    const decoderLoading = createQrDecoder();
    decoderLoading.catch(() => undefined);

    let decoder: QrDecoder;
    try {
      this.#stream = await openRearCamera();
      if (this.#isStopped) return this.stop();

      video.srcObject = this.#stream;
      await video.play();
      decoder = await decoderLoading;
    } catch (error) {
      this.stop();
      this.status = { kind: 'unavailable', problem: error instanceof CameraError ? error.problem : 'failed' };
      if (!(error instanceof CameraError)) console.error('[meshtext:ui] camera preview failed', error);
      return;
    }

    this.status = { kind: 'scanning' };
    this.#scheduleScan(decoder);
  }

  /** Stops decoding and turns the camera off. Safe to call more than once. */
  stop(): void {
    this.#isStopped = true;
    clearTimeout(this.#timer);
    if (this.#stream) stopStream(this.#stream);
    this.#stream = undefined;
    if (this.#video) this.#video.srcObject = null;
  }

  #scheduleScan(decoder: QrDecoder): void {
    if (this.#isStopped) return;

    this.#timer = setTimeout(() => void this.#scanFrame(decoder), SCAN_INTERVAL_MS);
  }

  async #scanFrame(decoder: QrDecoder): Promise<void> {
    const video = this.#video;
    if (this.#isStopped || !video) return;

    let text: string | undefined;
    try {
      text = await decoder(video);
    } catch (error) {
      // A single frame can fail while the stream is changing size; the next one usually works.
      if (!this.#hasLoggedFrameError) console.warn('[meshtext:ui] QR decoding failed on a frame', error);
      this.#hasLoggedFrameError = true;
    }

    if (this.#isStopped) return;
    if (text !== undefined && this.#onDetect(text)) {
      this.stop();
      return;
    }

    this.#scheduleScan(decoder);
  }
}
