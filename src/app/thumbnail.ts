/**
 * Thumbnails of images chosen as attachments, made in the browser: the image is decoded, scaled
 * to fit THUMBNAIL_EDGE_PX and encoded as JPEG, at lower quality until the data URL fits in a
 * message.
 */

import { MAX_THUMBNAIL_LENGTH } from '../core/files/file-meta.ts';

/** Longest edge of a thumbnail, in CSS pixels at twice the density of the 120 px it is shown at. */
export const THUMBNAIL_EDGE_PX = 240;

const JPEG_QUALITIES = [0.8, 0.6, 0.4, 0.25];

/**
 * Returns a JPEG data URL of the image, or undefined for a file that is not an image the
 * browser can decode, or whose thumbnail does not fit MAX_THUMBNAIL_LENGTH.
 */
export async function makeThumbnail(file: Blob): Promise<string | undefined> {
  if (!file.type.startsWith('image/')) return undefined;

  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return undefined;
  }

  try {
    const scale = Math.min(1, THUMBNAIL_EDGE_PX / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    const context = canvas.getContext('2d');
    if (!context) return undefined;

    // JPEG has no transparency; a white ground keeps transparent areas light in both themes.
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);

    for (const quality of JPEG_QUALITIES) {
      const dataUrl = canvas.toDataURL('image/jpeg', quality);
      if (dataUrl.length <= MAX_THUMBNAIL_LENGTH) return dataUrl;
    }

    return undefined;
  } finally {
    bitmap.close();
  }
}
