/**
 * Opening the camera for QR scanning, with the reasons it can be unavailable sorted into the
 * few cases the interface explains differently.
 */

export type CameraProblem = 'insecure' | 'denied' | 'no-camera' | 'busy' | 'failed';

/** The camera could not be opened. `problem` selects the explanation the interface shows. */
export class CameraError extends Error {
  override name = 'CameraError';
  readonly problem: CameraProblem;

  constructor(problem: CameraProblem, message: string, options?: ErrorOptions) {
    super(message, options);
    this.problem = problem;
  }
}

/**
 * Opens a video stream from the rear camera where there is one, else from any camera.
 * @throws CameraError when the page is not a secure context, permission is denied, no camera
 *   exists, another program is using it, or the browser fails to start it.
 */
export async function openRearCamera(): Promise<MediaStream> {
  // Browsers hide navigator.mediaDevices outside secure contexts (HTTPS or localhost).
  if (!window.isSecureContext || !navigator.mediaDevices?.getUserMedia) {
    throw new CameraError('insecure', 'camera access needs a secure context');
  }

  try {
    return await navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: 'environment' } }, audio: false });
  } catch (error) {
    throw new CameraError(classify(error), 'camera could not be opened', { cause: error });
  }
}

/** Stops every track, which turns the camera and its indicator light off. */
export function stopStream(stream: MediaStream): void {
  for (const track of stream.getTracks()) track.stop();
}

/** Sorts the DOMException names that getUserMedia rejects with into camera problems. */
function classify(error: unknown): CameraProblem {
  switch ((error as { name?: string } | null)?.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'denied';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'no-camera';
    case 'NotReadableError':
    case 'AbortError':
      return 'busy';
    default:
      return 'failed';
  }
}
