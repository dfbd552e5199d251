/**
 * A fake camera for scanning tests. Chromium's fake capture device plays a video file in place
 * of a camera, so a test copies a QR code from one user's screen into a still video and lets
 * the other user's browser "film" it.
 *
 * The file is YUV4MPEG2 (.y4m): a text header, then per frame the line "FRAME" followed by
 * the luma plane and two quarter-size chroma planes (4:2:0). A grey picture needs only luma,
 * with both chroma planes at the neutral value 128.
 */

import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LaunchOptions, Locator } from '@playwright/test';
import { chromiumArgs, chromiumLaunchOptions } from './chromium.ts';

/** A greyscale picture, one byte per pixel, rows top to bottom. */
export interface GreyImage {
  width: number;
  height: number;
  luma: Uint8Array;
}

/** The one video file the fake camera plays; tests in a file run one at a time and rewrite it. */
export const fakeCameraVideoPath = path.join(tmpdir(), `meshtext-fake-camera-${process.pid}.y4m`);

/** Launch options for a browser whose only camera plays `videoPath` and that grants camera access without asking. */
export function fakeCameraLaunchOptions(videoPath = fakeCameraVideoPath): LaunchOptions {
  return {
    ...chromiumLaunchOptions,
    args: [
      ...chromiumArgs,
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${videoPath}`,
    ],
  };
}

/**
 * Copies an SVG image on the page (a QR code) into a square greyscale picture of `sizePx` with
 * a white border of `marginPx`, by drawing it on a canvas in the page.
 */
export async function captureSvgImage(image: Locator, sizePx = 720, marginPx = 40): Promise<GreyImage> {
  const encoded = await image.evaluate(
    async (element, { size, margin }) => {
      const drawn = size - 2 * margin;
      const clone = element.cloneNode(true) as SVGSVGElement;
      clone.setAttribute('width', String(drawn));
      clone.setAttribute('height', String(drawn));

      const markup = new XMLSerializer().serializeToString(clone);
      const url = URL.createObjectURL(new Blob([markup], { type: 'image/svg+xml' }));
      const picture = new Image();
      picture.src = url;
      await picture.decode();
      URL.revokeObjectURL(url);

      const canvas = document.createElement('canvas');
      canvas.width = size;
      canvas.height = size;
      const context = canvas.getContext('2d');
      if (!context) throw new Error('no 2d canvas context');
      context.fillStyle = '#ffffff';
      context.fillRect(0, 0, size, size);
      context.imageSmoothingEnabled = false;
      context.drawImage(picture, margin, margin, drawn, drawn);

      const { data } = context.getImageData(0, 0, size, size);
      let binary = '';
      for (let pixel = 0; pixel < size * size; pixel++) binary += String.fromCharCode(data[pixel * 4] ?? 0);

      return btoa(binary);
    },
    { size: sizePx, margin: marginPx },
  );

  return { width: sizePx, height: sizePx, luma: new Uint8Array(Buffer.from(encoded, 'base64')) };
}

/**
 * Writes `image` as a still .y4m video of a few identical frames. Chromium loops the file, so
 * the camera shows the picture for as long as it runs.
 * @throws RangeError for odd dimensions, which 4:2:0 chroma cannot halve.
 */
export async function writeStillVideo(filePath: string, image: GreyImage, frameCount = 3): Promise<void> {
  const { width, height, luma } = image;
  if (width % 2 !== 0 || height % 2 !== 0) throw new RangeError(`y4m 4:2:0 needs even dimensions, got ${width}x${height}`);
  if (luma.length !== width * height) throw new RangeError(`expected ${width * height} luma bytes, got ${luma.length}`);

  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`, 'ascii');
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n', 'ascii'), Buffer.from(luma), chroma]);

  await writeFile(filePath, Buffer.concat([header, ...Array.from({ length: frameCount }, () => frame)]));
}
