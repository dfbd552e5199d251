/**
 * QR codes drawn as one SVG path. The `qrcode` package computes the module matrix and is
 * loaded on first use, so screens without a QR code do not pay for it.
 */

export interface QrPath {
  /** Width and height in modules, quiet zone included. */
  size: number;
  /** SVG path data with one unit per module. */
  path: string;
}

/** Quiet zone around the code, in modules, as wide as the `qrcode` package's default margin. */
const QUIET_ZONE_MODULES = 4;

/**
 * Encodes `text` as a QR code with error correction level M and returns it as path data.
 * @throws Error from `qrcode` when the text is too long for any QR version.
 */
export async function createQrPath(text: string): Promise<QrPath> {
  const { create } = await import('qrcode');
  const { modules } = create(text, { errorCorrectionLevel: 'M' });
  const commands: string[] = [];

  // One horizontal run per stretch of dark modules keeps the path short.
  for (let row = 0; row < modules.size; row++) {
    let column = 0;
    while (column < modules.size) {
      if (!modules.get(row, column)) {
        column++;
        continue;
      }

      const start = column;
      while (column < modules.size && modules.get(row, column)) column++;
      commands.push(`M${start + QUIET_ZONE_MODULES} ${row + QUIET_ZONE_MODULES}h${column - start}v1h${start - column}z`);
    }
  }

  return { size: modules.size + 2 * QUIET_ZONE_MODULES, path: commands.join('') };
}
