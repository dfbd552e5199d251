import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import {
  addContact,
  chatBothWays,
  connectionStatus,
  conversationList,
  createIdentity,
  expectConversation,
  openConversation,
  readOwnInvite,
  sendMessage,
  waitUntilOnline,
} from './app.ts';
import { assertAppBuilt, expect, test } from './fixtures.ts';

const passphrase = 'copper lantern drifts north';

let downloadDir = '';

test.beforeAll(async () => {
  assertAppBuilt();
  downloadDir = await mkdtemp(path.join(tmpdir(), 'meshtext-e2e-backups-'));
});

test.afterAll(async () => {
  await rm(downloadDir, { recursive: true, force: true });
});

async function openProfile(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: 'My profile' }).click();
  const dialog = page.getByRole('dialog', { name: 'My profile' });
  await expect(dialog).toBeVisible();

  return dialog;
}

/** Reads the app's own address and install instance id through the debugging handle. */
async function identityFacts(page: Page): Promise<{ address: string; instanceId: string }> {
  return page.evaluate(() => {
    const identity = (globalThis as { meshtext?: { messenger: { identity?: { address: string; instanceId: string } } } })
      .meshtext?.messenger.identity;

    return { address: identity?.address ?? '', instanceId: identity?.instanceId ?? '' };
  });
}

/** Makes a backup from the profile dialog and returns the path of the downloaded file. */
async function backUp(page: Page): Promise<string> {
  const profile = await openProfile(page);
  await profile.getByRole('button', { name: 'Back up' }).click();
  const dialog = page.getByRole('dialog', { name: 'Back up' });

  await test.step('passphrase checks', async () => {
    await dialog.getByLabel('Passphrase', { exact: true }).fill('short');
    await dialog.getByLabel('Repeat the passphrase').fill('short');
    await dialog.getByRole('button', { name: 'Create backup' }).click();
    await expect(dialog.getByRole('alert')).toHaveText('The passphrase needs at least 10 characters.');

    await dialog.getByLabel('Passphrase', { exact: true }).fill(passphrase);
    await dialog.getByLabel('Repeat the passphrase').fill(`${passphrase}!`);
    await dialog.getByRole('button', { name: 'Create backup' }).click();
    await expect(dialog.getByRole('alert')).toHaveText('The two passphrases differ.');
  });

  await dialog.getByLabel('Repeat the passphrase').fill(passphrase);
  const downloading = page.waitForEvent('download');
  await dialog.getByRole('button', { name: 'Create backup' }).click();
  const download = await downloading;
  const fileName = download.suggestedFilename();
  const filePath = path.join(downloadDir, `${test.info().testId}-${fileName}`);
  await download.saveAs(filePath);

  expect(fileName).toMatch(/^meshtext-backup-\d{4}-\d{2}-\d{2}\.meshtext$/);
  await expect(dialog.getByRole('status')).toHaveText(`Saved as ${fileName}. Keep it somewhere safe, away from this device.`);
  await dialog.getByRole('button', { name: 'Close' }).click();
  await profile.getByRole('button', { name: 'Close' }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);

  return filePath;
}

/** Fills the restore dialog and presses "Restore". */
async function submitRestore(dialog: Locator, filePath: string, typedPassphrase: string): Promise<void> {
  await dialog.getByLabel('Backup file').setInputFiles(filePath);
  await dialog.getByLabel('Passphrase', { exact: true }).fill(typedPassphrase);
  await dialog.getByRole('button', { name: 'Restore' }).click();
}

test('backup restores identity and history elsewhere', async ({ relay, openBrowser }) => {
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');
  await chatBothWays(relay.url, alice.page, bob.page);
  const history = ['first message, any path', 'reply, any path'];
  const original = await identityFacts(alice.page);

  const backupPath = await backUp(alice.page);
  // One identity belongs online in one browser at a time.
  await alice.close();

  const restored = await openBrowser('alice-restored');
  await restored.page.goto(relay.url);
  await restored.page.getByRole('button', { name: 'Restore from backup' }).click();
  const dialog = restored.page.getByRole('dialog', { name: 'Restore from backup' });

  await test.step('wrong passphrase', async () => {
    await submitRestore(dialog, backupPath, 'copper lantern drifts south');
    await expect(dialog.getByRole('alert')).toHaveText('The passphrase is wrong, or the file is damaged.');
    await expect(restored.page.getByRole('heading', { name: 'Welcome to Meshtext' })).toBeVisible();
  });

  await submitRestore(dialog, backupPath, passphrase);
  await expect(connectionStatus(restored.page)).toBeVisible();
  await expect(dialog).toBeHidden();

  const facts = await identityFacts(restored.page);
  expect(facts.address).toBe(original.address);
  expect(facts.instanceId).not.toBe(original.instanceId);

  await openConversation(restored.page, 'Bob');
  await expectConversation(restored.page, history);

  await test.step('restored identity keeps chatting', async () => {
    await waitUntilOnline(restored.page);
    await sendMessage(restored.page, 'written after the restore');
    await openConversation(bob.page, 'Alice');
    await expectConversation(bob.page, [...history, 'written after the restore']);
  });
});

test('restore over an identity needs confirmation', async ({ relay, openBrowser }) => {
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');
  const carol = await openBrowser('carol');
  await createIdentity(alice.page, relay.url, 'Alice');
  await createIdentity(bob.page, relay.url, 'Bob');
  await createIdentity(carol.page, relay.url, 'Carol');
  await addContact(alice.page, await readOwnInvite(bob.page));
  await sendMessage(alice.page, 'kept in the backup');
  const aliceFacts = await identityFacts(alice.page);
  const backupPath = await backUp(alice.page);
  await addContact(carol.page, await readOwnInvite(bob.page));

  const profile = await openProfile(carol.page);
  await profile.getByRole('button', { name: 'Restore from backup' }).click();
  const dialog = carol.page.getByRole('dialog', { name: 'Restore from backup' });

  await submitRestore(dialog, backupPath, passphrase);
  await expect(dialog.getByRole('alert')).toHaveText('Confirm that the backup may replace what is on this device.');

  await dialog.getByRole('checkbox', { name: 'Replace my identity, contacts and messages on this device' }).check();
  await dialog.getByRole('button', { name: 'Restore' }).click();

  // The page reloads with the restored identity.
  await expect(carol.page.getByRole('dialog')).toHaveCount(0, { timeout: 20_000 });
  await expect.poll(async () => (await identityFacts(carol.page)).address).toBe(aliceFacts.address);
  await expect(conversationList(carol.page).getByRole('button', { name: 'Bob' })).toHaveCount(1);
  await openConversation(carol.page, 'Bob');
  await expectConversation(carol.page, ['kept in the backup']);

  const profileAfter = await openProfile(carol.page);
  await expect(profileAfter.getByText('Alice', { exact: true })).toBeVisible();
});

test('backup key derivation runs in a worker with progress', async ({ relay, openBrowser }) => {
  const alice = await openBrowser('alice');
  const { page } = alice;
  await createIdentity(page, relay.url, 'Alice');
  const workerUrls: string[] = [];
  page.on('worker', (worker) => workerUrls.push(worker.url()));

  const profile = await openProfile(page);
  await profile.getByRole('button', { name: 'Back up' }).click();
  const dialog = page.getByRole('dialog', { name: 'Back up' });
  await dialog.getByLabel('Passphrase', { exact: true }).fill(passphrase);
  await dialog.getByLabel('Repeat the passphrase').fill(passphrase);

  // Records every value the progress bar takes and the longest pause of a 10 ms timer on the page.
  await page.evaluate(() => {
    const watch = { values: [] as number[], longestTimerGapMs: 0 };
    (globalThis as { backupWatch?: typeof watch }).backupWatch = watch;
    new MutationObserver(() => {
      const value = document.querySelector('progress')?.value;
      if (value !== undefined) watch.values.push(value);
    }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['value'] });
    let last = performance.now();
    setInterval(() => {
      const now = performance.now();
      watch.longestTimerGapMs = Math.max(watch.longestTimerGapMs, now - last);
      last = now;
    }, 10);
  });

  const downloading = page.waitForEvent('download');
  await dialog.getByRole('button', { name: 'Create backup' }).click();
  await downloading;
  await expect(dialog.getByRole('status')).toContainText('Saved as');

  const watch = await page.evaluate(() => (globalThis as unknown as { backupWatch: { values: number[]; longestTimerGapMs: number } }).backupWatch);
  const between = watch.values.filter((value) => value > 0.1 && value < 1);
  expect(workerUrls.some((url) => /backup-key-worker/.test(url)), `workers started: ${workerUrls.join(', ')}`).toBe(true);
  expect(new Set(between).size, `progress values: ${watch.values.join(', ')}`).toBeGreaterThanOrEqual(3);
  test.info().annotations.push({ type: 'longest main-thread timer gap (ms)', description: watch.longestTimerGapMs.toFixed(0) });
});
