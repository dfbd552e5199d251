/**
 * Reads a QR code from the current frame of a video. Browsers that have the Shape Detection
 * API's BarcodeDetector with the `qr_code` format decode natively. Where it is missing, as in
 * Chromium on Linux, the jsQR library is loaded on first use and decodes a frame drawn on a
 * canvas.
 */

/** Returns the text of a QR code in the video's current frame, or undefined when it finds none. */
export type QrDecoder = (video: HTMLVideoElement) => Promise<string | undefined>;

interface DetectedBarcode {
  rawValue: string;
}

interface BarcodeDetectorInstance {
  detect(source: HTMLVideoElement): Promise<DetectedBarcode[]>;
}

interface BarcodeDetectorClass {
  new (options: { formats: string[] }): BarcodeDetectorInstance;
  getSupportedFormats(): Promise<string[]>;
}

/** Longer side of the canvas jsQR reads. Larger frames are scaled down to keep each scan fast. */
const MAX_CANVAS_SIDE_PX = 800;

/** Creates the best decoder this browser offers. */
export async function createQrDecoder(): Promise<QrDecoder> {
  return (await createNativeDecoder()) ?? (await createJsQrDecoder());
}

async function createNativeDecoder(): Promise<QrDecoder | undefined> {
  const Detector = (globalThis as { BarcodeDetector?: BarcodeDetectorClass }).BarcodeDetector;
  if (!Detector) return undefined;

  try {
    if (!(await Detector.getSupportedFormats()).includes('qr_code')) return undefined;
  } catch {
    return undefined;
  }

  const detector = new Detector({ formats: ['qr_code'] });

  return async (video) => {
    const [first] = await detector.detect(video);

    return first?.rawValue;
  };
}

async function createJsQrDecoder(): Promise<QrDecoder> {
  const { default: jsQR } = await import('jsqr');
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new Error('canvas 2d context is unavailable, so QR codes cannot be decoded');

  return async (video) => {
    const { videoWidth, videoHeight } = video;
    if (videoWidth === 0 || videoHeight === 0) return undefined;

    const scale = Math.min(1, MAX_CANVAS_SIDE_PX / Math.max(videoWidth, videoHeight));
    canvas.width = Math.round(videoWidth * scale);
    canvas.height = Math.round(videoHeight * scale);
    context.drawImage(video, 0, 0, canvas.width, canvas.height);

    const image = context.getImageData(0, 0, canvas.width, canvas.height);
    // Meshtext draws dark on light, but other apps may show light on dark in dark mode.
    const code = jsQR(image.data, image.width, image.height, { inversionAttempts: 'attemptBoth' });

    return code?.data || undefined;
  };
}
