/**
 * Shrinks a picture the user chose to a small square avatar in the browser, so that the data
 * URL fits in a profile update (see MAX_AVATAR_URL_LENGTH).
 */

import { isValidAvatarUrl } from '../../core/organiser/control-messages.ts';

/** Side of the square avatar in pixels. */
export const AVATAR_SIZE_PX = 80;
/** JPEG qualities tried in turn until the data URL is small enough. */
const JPEG_QUALITIES = [0.82, 0.7, 0.55, 0.4];

/** The chosen file could not be decoded as an image, or not made small enough. */
export class AvatarImageError extends Error {
  override name = 'AvatarImageError';
}

/**
 * Decodes `file`, crops its centre to a square, scales it to AVATAR_SIZE_PX and returns a JPEG
 * data URL that the profile accepts.
 * @throws AvatarImageError when the file is not an image the browser can decode.
 */
export async function resizeAvatar(file: Blob): Promise<string> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch (error) {
    throw new AvatarImageError('the file is not an image this browser can decode', { cause: error });
  }

  const canvas = document.createElement('canvas');
  canvas.width = AVATAR_SIZE_PX;
  canvas.height = AVATAR_SIZE_PX;
  const context = canvas.getContext('2d');
  if (!context) throw new AvatarImageError('the browser offers no 2D canvas to resize the image');

  const side = Math.min(bitmap.width, bitmap.height);
  const left = (bitmap.width - side) / 2;
  const top = (bitmap.height - side) / 2;
  // JPEG has no transparency, so transparent pixels become white instead of black.
  context.fillStyle = '#ffffff';
  context.fillRect(0, 0, AVATAR_SIZE_PX, AVATAR_SIZE_PX);
  context.drawImage(bitmap, left, top, side, side, 0, 0, AVATAR_SIZE_PX, AVATAR_SIZE_PX);
  bitmap.close();

  for (const quality of JPEG_QUALITIES) {
    const url = canvas.toDataURL('image/jpeg', quality);
    if (isValidAvatarUrl(url)) return url;
  }

  throw new AvatarImageError('the image stays too large after resizing');
}
