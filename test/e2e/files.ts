/**
 * Steps with attachments: choosing a file through the composer's attach button, watching for
 * progress bars, and downloading a received file to hash it.
 */

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { expect, type Locator, type Page } from '@playwright/test';
import { deliveryTimeoutMs, messageItem } from './app.ts';

/** SHA-256 in hex. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Bytes that differ from position to position, so a misplaced or missing part changes the hash. */
export function patternedBytes(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length);
  let state = seed >>> 0 || 1;
  for (let index = 0; index < length; index++) {
    state = (state * 1_103_515_245 + 12_345) >>> 0;
    bytes[index] = state >>> 24;
  }

  return bytes;
}

/**
 * Chooses a file through the composer's attach button, as a user does: bytes in memory, or the
 * path of a file on disk, which Playwright hands to the browser without copying it through the
 * protocol (large buffers time out there).
 */
export async function attachFile(page: Page, file: { name: string; mimeType: string; buffer: Buffer } | string): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Attach file' }).click();

  await (await chooser).setFiles(file);
}

/** Locates the progress bar of a file being sent or received. */
export function transferProgress(page: Page, direction: 'Sending' | 'Receiving', fileName: string): Locator {
  return page.getByRole('progressbar', { name: `${direction} ${fileName}` });
}

/**
 * Starts noting, in the page, every value a progress bar of a file transfer shows, so a test
 * can check afterwards that progress was on screen even when the transfer was quick.
 */
export async function recordProgressBars(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: { value: number; max: number }[] = [];
    (globalThis as unknown as { progressSeen: typeof seen }).progressSeen = seen;
    const note = (): void => {
      for (const bar of document.querySelectorAll('progress')) seen.push({ value: bar.value, max: bar.max });
    };
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['value'] });
  });
}

/** Returns the progress values noted since recordProgressBars. */
export async function readProgressSeen(page: Page): Promise<{ value: number; max: number }[]> {
  return page.evaluate(() => (globalThis as unknown as { progressSeen: { value: number; max: number }[] }).progressSeen);
}

/** Reads the stored transfer state of the file with this name, through the app's debugging handle. */
export async function readFileTransfer(page: Page, fileName: string): Promise<{ partsDone: number; partCount: number; state: string } | undefined> {
  return page.evaluate(async (fileName) => {
    const handle = globalThis as unknown as {
      meshtext: { db: { files: { toArray(): Promise<{ meta: { name: string }; partsDone: number; partCount: number; state: string }[]> } } };
    };
    const files = await handle.meshtext.db.files.toArray();
    const file = files.find((candidate) => candidate.meta.name === fileName);

    return file && { partsDone: file.partsDone, partCount: file.partCount, state: file.state };
  }, fileName);
}

/** Waits until the file message offers a download, downloads it and returns its bytes. */
export async function downloadFile(page: Page, fileName: string): Promise<Buffer> {
  const item = messageItem(page, fileName);
  const link = item.getByRole('link', { name: 'Download' });
  await expect(link).toBeVisible({ timeout: deliveryTimeoutMs });

  const download = page.waitForEvent('download');
  await link.click();
  const saved = await download;
  expect(saved.suggestedFilename()).toBe(fileName);

  return readFile(await saved.path());
}
