import { open, writeFile } from 'node:fs/promises';
import { assertAppBuilt, test, expect, type TestBrowser, type TestRelay } from './fixtures.ts';
import {
  acceptRequest,
  addContact,
  countStoredRows,
  createIdentity,
  expectConversation,
  expectDeliveryStatus,
  messageBox,
  messageItem,
  openConversation,
  readOwnInvite,
  sendMessage,
  waitUntilOnline,
  type AppHandle,
} from './app.ts';
import { attachFile, downloadFile, patternedBytes, readFileTransfer, readProgressSeen, recordProgressBars, sha256Hex, transferProgress } from './files.ts';

interface Pair {
  alice: TestBrowser;
  bob: TestBrowser;
}

/** Alice adds Bob and writes first; Bob accepts her request, so files from Alice are fetched. */
async function startChat(relay: TestRelay, openBrowser: (name: string) => Promise<TestBrowser>): Promise<Pair> {
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');

  await createIdentity(alice.page, relay.url, 'Alice');
  await createIdentity(bob.page, relay.url, 'Bob');
  await waitUntilOnline(alice.page);
  await waitUntilOnline(bob.page);
  await addContact(alice.page, await readOwnInvite(bob.page));
  await sendMessage(alice.page, 'hello, files follow');
  await acceptRequest(bob.page, 'Alice');
  await expectDeliveryStatus(alice.page, 'hello, files follow', 'delivered');

  return { alice, bob };
}

/** Reads the text of the stored message that starts with `prefix`, as the receiver stored it. */
async function readStoredText(page: TestBrowser['page'], prefix: string): Promise<string | undefined> {
  const messages = await page.evaluate(() => (globalThis as unknown as { meshtext: AppHandle }).meshtext.db.messages.toArray());

  return messages.find((message) => message.text.startsWith(prefix))?.text;
}

test.beforeAll(() => assertAppBuilt());

test('20 KB and 1 MB payloads arrive byte-identical and the next small message is unaffected', async ({ relay, openBrowser }) => {
  const { alice, bob } = await startChat(relay, openBrowser);
  // 20,101 bytes of UTF-8 in 6,701 characters, within the 8,000-character limit of a message.
  const longText = `L${'✓'.repeat(6700)}`;
  const megabyte = patternedBytes(1_000_000, 11);

  await messageBox(alice.page).fill(longText);
  await alice.page.getByRole('button', { name: 'Send' }).click();
  await attachFile(alice.page, { name: 'one-megabyte.bin', mimeType: 'application/octet-stream', buffer: megabyte });
  await sendMessage(alice.page, 'small message after');

  await expectConversation(bob.page, ['hello, files follow', longText, 'one-megabyte.bin', 'small message after']);
  expect(Buffer.byteLength(longText)).toBeGreaterThan(20_000);
  expect(await readStoredText(bob.page, 'L✓')).toBe(longText);
  expect(sha256Hex(await downloadFile(bob.page, 'one-megabyte.bin'))).toBe(sha256Hex(megabyte));
  await expectDeliveryStatus(alice.page, 'small message after', 'delivered');
  await expect(messageItem(bob.page, 'small message after')).toHaveCount(1);
});

test('a 5 MB file arrives byte-identical with progress shown', async ({ relay, openBrowser }) => {
  const { alice, bob } = await startChat(relay, openBrowser);
  const bytes = patternedBytes(5 * 1024 * 1024, 12);
  await recordProgressBars(alice.page);
  await recordProgressBars(bob.page);

  await attachFile(alice.page, { name: 'five-megabytes.bin', mimeType: 'application/octet-stream', buffer: bytes });

  await expect(transferProgress(alice.page, 'Sending', 'five-megabytes.bin')).toBeVisible();
  const received = await downloadFile(bob.page, 'five-megabytes.bin');
  expect(sha256Hex(received)).toBe(sha256Hex(bytes));
  await expect(transferProgress(alice.page, 'Sending', 'five-megabytes.bin')).toBeHidden();
  await expect(alice.page.getByRole('link', { name: 'Download' })).toBeVisible();
  // Both sides rendered a progress bar, and each showed a value between empty and full.
  for (const page of [alice.page, bob.page]) {
    const seen = await readProgressSeen(page);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.some(({ value, max }) => value > 0 && value < max)).toBe(true);
  }
});

test('a file over 25 MB is rejected with a clear error and loses nothing', async ({ relay, openBrowser }, testInfo) => {
  const { alice, bob } = await startChat(relay, openBrowser);
  const tooBig = testInfo.outputPath('too-big.bin');
  const handle = await open(tooBig, 'w');
  await handle.truncate(30 * 1024 * 1024);
  await handle.close();
  const rowsBefore = await countStoredRows(alice.page);
  const draft = 'a draft typed before attaching';
  await messageBox(alice.page).fill(draft);

  await attachFile(alice.page, tooBig);

  await expect(alice.page.getByRole('alert')).toHaveText('“too-big.bin” is 30 MB. Files can be at most 25 MB.');
  await expect(messageBox(alice.page)).toHaveValue(draft);
  expect(await countStoredRows(alice.page)).toEqual(rowsBefore);
  await expect(messageItem(alice.page, 'too-big.bin')).toHaveCount(0);

  await alice.page.getByRole('button', { name: 'Send' }).click();
  await expectConversation(bob.page, ['hello, files follow', draft]);
  await expectDeliveryStatus(alice.page, draft, 'delivered');
});

test('a file transfer resumes after the receiver reloads', async ({ relay, openBrowser }, testInfo) => {
  const { alice, bob } = await startChat(relay, openBrowser);
  const bytes = patternedBytes(20 * 1024 * 1024, 13);
  const path = testInfo.outputPath('resumed.bin');
  await writeFile(path, bytes);

  await attachFile(alice.page, path);
  await expect
    .poll(async () => (await readFileTransfer(bob.page, 'resumed.bin'))?.partsDone ?? 0, { timeout: 60_000, intervals: [50] })
    .toBeGreaterThanOrEqual(20);
  await bob.page.reload();

  // Bob kept the parts he stored before the link dropped.
  const kept = await readFileTransfer(bob.page, 'resumed.bin');
  expect(kept?.state).toBe('receiving');
  expect(kept?.partsDone).toBeGreaterThanOrEqual(20);
  expect(kept?.partsDone).toBeLessThan(kept?.partCount ?? 0);

  await openConversation(bob.page, 'Alice');
  expect(sha256Hex(await downloadFile(bob.page, 'resumed.bin'))).toBe(sha256Hex(bytes));
  await expect.poll(async () => (await readFileTransfer(alice.page, 'resumed.bin'))?.state, { timeout: 30_000 }).toBe('complete');
});

test('an image arrives with a thumbnail made by the sender', async ({ relay, openBrowser }) => {
  const { alice, bob } = await startChat(relay, openBrowser);
  const image = await alice.page.screenshot({ type: 'png' });

  await attachFile(alice.page, { name: 'screen.png', mimeType: 'image/png', buffer: image });

  const preview = bob.page.getByRole('img', { name: 'Preview of screen.png' });
  await expect(preview).toBeVisible({ timeout: 45_000 });
  await expect(preview).toHaveAttribute('src', /^data:image\/jpeg;base64,/);
  expect(await preview.evaluate((element: HTMLImageElement) => element.naturalWidth)).toBeLessThanOrEqual(240);
  expect(sha256Hex(await downloadFile(bob.page, 'screen.png'))).toBe(sha256Hex(image));
});
