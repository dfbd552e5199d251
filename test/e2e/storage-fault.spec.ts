import { assertAppBuilt, test, expect } from './fixtures.ts';
import {
  acceptRequest,
  addContact,
  createIdentity,
  deliveryStatus,
  expectConversation,
  expectDeliveryStatus,
  readOwnInvite,
  sendMessage,
  waitUntilOnline,
} from './app.ts';

test.beforeAll(() => assertAppBuilt());

interface FaultHandle {
  meshtext: { storage: { storeIncoming: (...args: unknown[]) => Promise<unknown> } };
  endStorageFault?: () => void;
}

test('full storage on receive warns, keeps history and retries', async ({ relay, openBrowser }) => {
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');
  await createIdentity(alice.page, relay.url, 'Alice');
  await createIdentity(bob.page, relay.url, 'Bob');
  await waitUntilOnline(alice.page);
  await waitUntilOnline(bob.page);
  await addContact(alice.page, await readOwnInvite(bob.page));
  await sendMessage(alice.page, 'saved before the disk filled');
  await acceptRequest(bob.page, 'Alice');
  await expectDeliveryStatus(alice.page, 'saved before the disk filled', 'delivered');

  // Filling the real quota would write gigabytes, so Bob's storage adapter throws the error it
  // raises for QuotaExceededError instead.
  await bob.page.evaluate(() => {
    const handle = globalThis as unknown as FaultHandle;
    const storage = handle.meshtext.storage;
    const original = storage.storeIncoming;
    storage.storeIncoming = () => {
      const error = new Error('storage is full: free space on the device and try again');
      error.name = 'StorageFullError';

      return Promise.reject(error);
    };
    handle.endStorageFault = () => {
      storage.storeIncoming = original;
    };
  });
  await sendMessage(alice.page, 'sent while the disk is full');

  const banner = bob.page.getByRole('alert').filter({ hasText: 'out of storage space' });
  await expect(banner).toBeVisible({ timeout: 45_000 });
  await expect(deliveryStatus(alice.page, 'sent while the disk is full')).not.toHaveAttribute('data-status', /delivered|read/);
  await expectConversation(bob.page, ['saved before the disk filled']);

  await bob.page.evaluate(() => (globalThis as unknown as FaultHandle).endStorageFault?.());
  await expectDeliveryStatus(alice.page, 'sent while the disk is full', 'delivered');
  await expectConversation(bob.page, ['saved before the disk filled', 'sent while the disk is full']);
  await expect(banner).toHaveCount(0);
});
