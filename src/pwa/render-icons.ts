/**
 * Writes the favicon and renders the PNG app icons into public/ with headless Chromium.
 * Run it after changing brand-mark.ts: `npx tsx src/pwa/render-icons.ts`.
 * Set CHROMIUM_PATH when Chromium is not at /usr/bin/chromium.
 */

import { writeFile } from 'node:fs/promises';
import { chromium } from '@playwright/test';
import { brandMarkSvg, type MarkOptions } from './brand-mark.ts';

interface IconSpec extends MarkOptions {
  fileName: string;
  sizePx: number;
}

const publicDir = new URL('../../public/', import.meta.url);

const roundedMark: MarkOptions = { isFullBleed: false, glyphScale: 1 };

const icons: IconSpec[] = [
  { fileName: 'pwa-192x192.png', sizePx: 192, ...roundedMark },
  { fileName: 'pwa-512x512.png', sizePx: 512, ...roundedMark },
  { fileName: 'maskable-512x512.png', sizePx: 512, isFullBleed: true, glyphScale: 0.8 },
  // iOS draws its own rounded corners and fills transparent pixels with black.
  { fileName: 'apple-touch-icon-180x180.png', sizePx: 180, isFullBleed: true, glyphScale: 0.86 },
];

async function renderIcons(): Promise<void> {
  await writeFile(new URL('favicon.svg', publicDir), `${brandMarkSvg(roundedMark)}\n`);

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu'],
  });

  try {
    const page = await browser.newPage({ deviceScaleFactor: 1 });

    for (const icon of icons) {
      await page.setViewportSize({ width: icon.sizePx, height: icon.sizePx });
      await page.setContent(
        `<html><body style="margin:0;background:transparent">` +
          `<div style="width:${icon.sizePx}px;height:${icon.sizePx}px">${brandMarkSvg(icon)}</div>` +
          `</body></html>`,
      );
      const png = await page.screenshot({ type: 'png', omitBackground: true });
      await writeFile(new URL(icon.fileName, publicDir), png);
      console.info(`wrote public/${icon.fileName}`);
    }
  } finally {
    await browser.close();
  }
}

await renderIcons();
