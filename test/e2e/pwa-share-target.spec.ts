import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import {
  acceptRequest,
  addContact,
  countStoredRows,
  createIdentity,
  expectConversation,
  messageBox,
  messageItem,
  messageItems,
  readOwnInvite,
  sendMessage,
  waitUntilOnline,
} from './app.ts';
import { downloadFile, patternedBytes, sha256Hex } from './files.ts';
import { assertAppBuilt, expect, test, type TestBrowser, type TestRelay } from './fixtures.ts';
import { waitForServiceWorkerControl } from './pwa.ts';

test.beforeAll(() => assertAppBuilt());

/** Builds the URL that the browser opens when another app shares to Meshtext (share_target in the manifest). */
function shareUrl(appUrl: string, fields: Record<string, string>): string {
  return `${appUrl}share?${new URLSearchParams(fields).toString()}`;
}

/** A file to share: its bytes, or only a size for a zero-filled file made inside the page. */
interface FileToShare {
  name: string;
  type: string;
  bytes?: Buffer;
  sizeBytes?: number;
}

/**
 * Shares files and text to the app as the operating system's share sheet does with the
 * manifest's share_target: a multipart/form-data POST navigation to /share, which the service
 * worker receives.
 */
async function shareFiles(page: Page, text: string, files: FileToShare[], { hasIdentity = true } = {}): Promise<void> {
  const sent = files.map(({ name, type, bytes, sizeBytes }) => ({ name, type, base64: bytes?.toString('base64'), sizeBytes }));

  await page.evaluate(
    ({ text, files }) => {
      const form = document.createElement('form');
      form.method = 'post';
      form.enctype = 'multipart/form-data';
      form.action = '/share';

      const textField = document.createElement('input');
      textField.name = 'text';
      textField.value = text;
      form.append(textField);

      const transfer = new DataTransfer();
      for (const file of files) {
        const bytes = file.base64 ? Uint8Array.from(atob(file.base64), (char) => char.charCodeAt(0)) : new Uint8Array(file.sizeBytes ?? 0);
        transfer.items.add(new File([bytes], file.name, { type: file.type }));
      }
      const fileField = document.createElement('input');
      fileField.type = 'file';
      fileField.name = 'files';
      fileField.multiple = true;
      fileField.files = transfer.files;
      form.append(fileField);

      document.body.append(form);
      // Submitted after evaluate returns, because the navigation replaces this page.
      setTimeout(() => form.submit(), 0);
    },
    { text, files: sent },
  );
  // The main screen takes the share from the URL at once, and onboarding keeps it there.
  if (hasIdentity) await page.waitForURL((url) => url.pathname === '/' && url.search === '');
  else await page.waitForURL((url) => url.pathname === '/share' && url.searchParams.has('share'));
}

/** Alice and Bob are contacts who have written to each other, and Alice's page is under her service worker. */
async function startChat(relay: TestRelay, openBrowser: (name: string) => Promise<TestBrowser>): Promise<{ alice: Page; bob: Page }> {
  const alice = (await openBrowser('alice')).page;
  const bob = (await openBrowser('bob')).page;
  await createIdentity(alice, relay.url, 'Alice');
  await createIdentity(bob, relay.url, 'Bob');
  await waitUntilOnline(alice);
  await waitUntilOnline(bob);
  await waitForServiceWorkerControl(alice);
  await addContact(alice, await readOwnInvite(bob));
  await sendMessage(alice, 'first');
  await acceptRequest(bob, 'Alice');

  return { alice, bob };
}

/** Counts the shares still stored in the service worker's share inbox. */
async function countStoredShares(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const request = indexedDB.open('meshtext-share-inbox', 1);
        request.onupgradeneeded = () => request.result.createObjectStore('shares', { keyPath: 'id' });
        request.onerror = () => reject(request.error);
        request.onsuccess = () => {
          const count = request.result.transaction('shares').objectStore('shares').count();
          count.onsuccess = () => {
            resolve(count.result);
            request.result.close();
          };
          count.onerror = () => reject(count.error);
        };
      }),
  );
}

test('shared image and text arrive in chosen chat', async ({ relay, openBrowser }) => {
  const { alice, bob } = await startChat(relay, openBrowser);
  const image = await alice.screenshot({ type: 'png' });

  await shareFiles(alice, 'from the gallery', [{ name: 'holiday.png', type: 'image/png', bytes: image }]);

  const dialog = alice.getByRole('dialog', { name: 'Send to…' });
  await expect(dialog.getByText('from the gallery')).toBeVisible();
  await expect(dialog.getByRole('list', { name: 'Shared files' }).getByText(/^holiday\.png, /)).toBeVisible();
  expect(await countStoredShares(alice)).toBe(1);
  await dialog.getByRole('button', { name: 'Bob' }).click();

  await expect(dialog).toBeHidden();
  await expect(messageItem(alice, 'holiday.png')).toBeVisible();
  await expect(messageItem(alice, 'from the gallery')).toBeVisible();
  expect(await countStoredShares(alice)).toBe(0);

  await expect(bob.getByRole('img', { name: 'Preview of holiday.png' })).toBeVisible({ timeout: 45_000 });
  expect(sha256Hex(await downloadFile(bob, 'holiday.png'))).toBe(sha256Hex(image));
  await expectConversation(bob, ['first', 'holiday.png', 'from the gallery']);
});

test('oversize shared file is refused, others sent', async ({ relay, openBrowser }) => {
  const { alice, bob } = await startChat(relay, openBrowser);
  const notes = patternedBytes(40_000, 7);

  await shareFiles(alice, '', [
    { name: 'huge.mov', type: 'video/quicktime', sizeBytes: 26 * 1024 * 1024 },
    { name: 'notes.pdf', type: 'application/pdf', bytes: notes },
  ]);

  const dialog = alice.getByRole('dialog', { name: 'Send to…' });
  const files = dialog.getByRole('list', { name: 'Shared files' });
  await expect(files.getByRole('listitem').filter({ hasText: 'huge.mov' })).toContainText('Too large to send');
  await expect(files.getByRole('listitem').filter({ hasText: 'notes.pdf' })).not.toContainText('Too large to send');
  await dialog.getByRole('button', { name: 'Bob' }).click();

  await expect(dialog.getByRole('alert')).toContainText('“huge.mov” is 26 MB. Files can be at most 25 MB.');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
  await expectConversation(alice, ['first', 'notes.pdf']);
  expect(await countStoredShares(alice)).toBe(0);

  await expectConversation(bob, ['first', 'notes.pdf']);
  expect(sha256Hex(await downloadFile(bob, 'notes.pdf'))).toBe(sha256Hex(notes));
});

test('posted text without files fills composer', async ({ relay, openBrowser }) => {
  const { alice } = await startChat(relay, openBrowser);

  await shareFiles(alice, 'posted by the share sheet', []);

  const dialog = alice.getByRole('dialog', { name: 'Send to…' });
  await expect(dialog.getByText('posted by the share sheet')).toBeVisible();
  await expect(dialog.getByRole('list', { name: 'Shared files' })).toHaveCount(0);
  await dialog.getByRole('button', { name: 'Bob' }).click();

  await expect(messageBox(alice)).toHaveValue('posted by the share sheet');
  expect(await countStoredShares(alice)).toBe(0);
});

test('cancelled file share is deleted', async ({ relay, openBrowser }) => {
  const { alice } = await startChat(relay, openBrowser);

  await shareFiles(alice, '', [{ name: 'draft.txt', type: 'text/plain', bytes: Buffer.from('not for now') }]);

  const dialog = alice.getByRole('dialog', { name: 'Send to…' });
  await expect(dialog.getByText(/^draft\.txt, 11 B$/)).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  await expect(dialog).toBeHidden();
  await expect.poll(() => countStoredShares(alice)).toBe(0);
  expect((await countStoredRows(alice)).messages).toBe(1);
});

test('unstored shared files are explained', async ({ relay, openBrowser }) => {
  const { alice } = await startChat(relay, openBrowser);

  // The URL the service worker redirects to when storing the files failed, for example on a full disk.
  await alice.goto(shareUrl(relay.url, { text: 'with the photos', shareError: 'storage' }));

  const dialog = alice.getByRole('dialog', { name: 'Send to…' });
  await expect(dialog.getByRole('alert')).toHaveText('The shared files could not be stored on this device. Share them again.');
  await expect(dialog.getByText('with the photos')).toBeVisible();
  await dialog.getByRole('button', { name: 'Bob' }).click();

  await expect(dialog).toBeHidden();
  await expect(messageItem(alice, 'with the photos')).toBeVisible();
});

test('removed share names the loss', async ({ relay, openBrowser }) => {
  const { alice } = await startChat(relay, openBrowser);

  await alice.goto(shareUrl(relay.url, { share: 'not-stored' }));

  const dialog = alice.getByRole('dialog', { name: 'Send to…' });
  await expect(dialog.getByRole('alert')).toHaveText('The shared files are no longer stored on this device. Share them again.');
});

test('file share dialog fits phone and desktop', async ({ relay, openBrowser }) => {
  const { alice } = await startChat(relay, openBrowser);
  const screenshotDir = fileURLToPath(new URL('../../test-results/screens', import.meta.url));
  const image = await alice.screenshot({ type: 'png' });

  await shareFiles(alice, 'Photos from Saturday, and the programme', [
    { name: 'saturday-at-the-lake-with-everyone.png', type: 'image/png', bytes: image },
    { name: 'programme.pdf', type: 'application/pdf', bytes: patternedBytes(180_000, 3) },
    { name: 'full-video.mov', type: 'video/quicktime', sizeBytes: 26 * 1024 * 1024 },
  ]);
  const dialog = alice.getByRole('dialog', { name: 'Send to…' });
  await expect(dialog.getByRole('list', { name: 'Shared files' }).getByRole('listitem')).toHaveCount(3);

  const overflows: string[] = [];
  for (const width of [360, 1280]) {
    for (const colorScheme of ['light', 'dark'] as const) {
      await alice.setViewportSize({ width, height: width < 768 ? 780 : 900 });
      await alice.emulateMedia({ colorScheme });
      await alice.screenshot({ path: path.join(screenshotDir, `share-files-${width}-${colorScheme}.png`) });

      const overflowPx = await alice.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (overflowPx > 0) overflows.push(`${width} px ${colorScheme}: ${overflowPx} px too wide`);
    }
  }

  expect(overflows).toEqual([]);
});

test('shared text goes to the chosen chat', async ({ relay, openBrowser }) => {
  const alice = (await openBrowser('alice')).page;
  const bob = (await openBrowser('bob')).page;
  await createIdentity(alice, relay.url, 'Alice');
  await createIdentity(bob, relay.url, 'Bob');
  await addContact(alice, await readOwnInvite(bob));
  await sendMessage(alice, 'first');

  await alice.goto(shareUrl(relay.url, { title: 'An article', text: 'Look at this', url: 'https://example.org/a' }));

  const dialog = alice.getByRole('dialog', { name: 'Send to…' });
  await expect(dialog.getByText('Look at this https://example.org/a')).toBeVisible();
  expect(new URL(alice.url()).pathname).toBe('/');
  await dialog.getByRole('button', { name: 'Bob' }).click();

  await expect(dialog).toBeHidden();
  await expect(messageBox(alice)).toHaveValue('Look at this https://example.org/a');
  await expect(messageItems(alice)).toHaveCount(1);

  await alice.getByRole('button', { name: 'Send' }).click();
  await expectConversation(alice, ['first', 'Look at this https://example.org/a']);
});

test('shared invite link opens Add contact', async ({ relay, openBrowser }) => {
  const alice = (await openBrowser('alice')).page;
  const bob = (await openBrowser('bob')).page;
  await createIdentity(alice, relay.url, 'Alice');
  await createIdentity(bob, relay.url, 'Bob');
  const invite = await readOwnInvite(bob);

  await alice.goto(shareUrl(relay.url, { text: `Chat with me on Meshtext: ${invite}` }));

  const dialog = alice.getByRole('dialog', { name: 'Add contact' });
  await expect(dialog.getByRole('textbox', { name: 'Invite link' })).toHaveValue(invite);
});

test('share without contacts explains what to do', async ({ relay, openBrowser }) => {
  const alice = (await openBrowser('alice')).page;
  await createIdentity(alice, relay.url, 'Alice');

  await alice.goto(shareUrl(relay.url, { url: 'https://example.org/b' }));

  const dialog = alice.getByRole('dialog', { name: 'Send to…' });
  await expect(dialog.getByText('Add a contact first.')).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
});

test('share before identity waits for a contact', async ({ relay, openBrowser }, testInfo) => {
  const alice = (await openBrowser('alice')).page;
  const bob = (await openBrowser('bob')).page;
  await createIdentity(bob, relay.url, 'Bob');
  await waitUntilOnline(bob);
  const notes = patternedBytes(30_000, 3);
  await alice.goto(relay.url);
  await expect(alice.getByRole('heading', { name: 'Welcome to Meshtext' })).toBeVisible();
  await waitForServiceWorkerControl(alice);

  await shareFiles(alice, 'minutes of the meeting', [{ name: 'minutes.txt', type: 'text/plain', bytes: notes }], { hasIdentity: false });

  const waitingNote = alice.getByText('Something was shared to Meshtext.');
  await expect(waitingNote).toBeVisible();
  await alice.reload();
  await expect(waitingNote).toBeVisible();
  expect(await countStoredShares(alice)).toBe(1);
  await screenshotAtWidths(alice, testInfo.outputPath('onboarding-share-waiting'));

  await alice.getByRole('textbox', { name: 'Display name' }).fill('Alice');
  await alice.getByRole('button', { name: 'Create my identity' }).click();
  const dialog = alice.getByRole('dialog', { name: 'Send to…' });
  await expect(dialog.getByText('minutes of the meeting')).toBeVisible();
  await expect(dialog.getByRole('list', { name: 'Shared files' }).getByText(/^minutes\.txt, /)).toBeVisible();
  await expect(dialog.getByText('Add a contact first.')).toBeVisible();
  await screenshotAtWidths(alice, testInfo.outputPath('share-no-contacts'));

  // Adding the first contact from the dialog keeps the share, and closing that dialog without
  // a contact offers the share again too.
  await dialog.getByRole('button', { name: 'Add contact' }).click();
  const addDialog = alice.getByRole('dialog', { name: 'Add contact' });
  await addDialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog.getByText('minutes of the meeting')).toBeVisible();
  expect(await countStoredShares(alice)).toBe(1);
  await dialog.getByRole('button', { name: 'Add contact' }).click();
  await addDialog.getByRole('textbox', { name: 'Invite link' }).fill(await readOwnInvite(bob));
  await addDialog.getByRole('button', { name: 'Save contact' }).click();

  await expect(dialog.getByText('minutes of the meeting')).toBeVisible();
  await dialog.getByRole('button', { name: 'Bob' }).click();
  await expect(dialog).toBeHidden();
  await expect(messageItem(alice, 'minutes.txt')).toBeVisible();
  await expect(messageItem(alice, 'minutes of the meeting')).toBeVisible();
  expect(await countStoredShares(alice)).toBe(0);

  await acceptRequest(bob, 'Alice');
  await expectConversation(bob, ['minutes.txt', 'minutes of the meeting']);
  expect(sha256Hex(await downloadFile(bob, 'minutes.txt'))).toBe(sha256Hex(notes));
});

/** Saves screenshots of the page at phone and desktop width, light and dark, named `<base>-<width>-<scheme>.png`. */
async function screenshotAtWidths(page: Page, base: string): Promise<void> {
  const viewport = page.viewportSize();
  for (const width of [360, 1280]) {
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.setViewportSize({ width, height: width < 768 ? 780 : 900 });
      await page.emulateMedia({ colorScheme });
      await page.screenshot({ path: `${base}-${width}-${colorScheme}.png` });
    }
  }
  if (viewport) await page.setViewportSize(viewport);
  await page.emulateMedia({ colorScheme: 'light' });
}
