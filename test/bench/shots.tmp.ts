import { chromium } from '@playwright/test';
import nacl from 'tweetnacl';
import { silentLogger, startRelay } from '../../signaling/server.ts';
import { signCard } from '../../src/core/card.ts';
import { createIdentity } from '../../src/core/identity.ts';
import { chromiumLaunchOptions } from '../e2e/chromium.ts';
import { distDir } from './app-build.ts';

const relay = await startRelay({ port: 0, host: '127.0.0.1', staticDir: distDir, iceServers: [], logger: silentLogger });
const browser = await chromium.launch({ ...chromiumLaunchOptions, headless: true });
const bob = createIdentity('Bob', nacl.randomBytes, Date.now());
const card = signCard(bob);
for (const scheme of ['light', 'dark'] as const) {
  for (const width of [360, 1280]) {
    const page = await browser.newPage({ viewport: { width, height: 760 }, colorScheme: scheme });
    await page.addInitScript('globalThis.__name = (target) => target;');
    await page.goto(relay.url);
    await page.getByRole('textbox', { name: 'Display name' }).fill('Alice');
    await page.getByRole('button', { name: 'Create my identity' }).click();
    await page.waitForFunction(() => (window as any).meshtext?.phase === 'ready');
    await page.evaluate(async ({ bob, card }) => {
      const app = (window as any).meshtext;
      const me = app.ownAddress;
      const toBytes = (v: any) => new Uint8Array(Object.values(v));
      await app.db.contacts.put({ address: bob.address, displayName: 'Bob', signingPublicKey: toBytes(bob.signingPublicKey), boxPublicKey: toBytes(bob.boxPublicKey), card, state: 'contact', addedAt: 1, lastActivityAt: Date.now(), unreadCount: 0 });
      const base = Date.now() - 600_000;
      const m = (id: string, dir: string, seq: number, text: string, status: string, t: number) => ({ id, conversation: bob.address, direction: dir, sender: dir === 'in' ? bob.address : me, instance: dir === 'in' ? 'instance-bobbbbb' : 'instance-aliceeee', seq, text, sentAt: base + t, storedAt: base + t, status, readAt: dir === 'in' ? base : undefined });
      await app.db.messages.bulkAdd([
        m('shot-in-1xxxx', 'in', 1, 'Are you coming to the meetup?', 'received', 1000),
        m('shot-out-1xxx', 'out', 1, 'Yes, on my way.', 'read', 2000),
        m('shot-out-2xxx', 'out', 2, 'Which entrance?', 'delivered', 3000),
        m('shot-in-4xxxx', 'in', 4, 'The north gate, see you there.', 'received', 4000),
        m('shot-out-3xxx', 'out', 3, 'Great!', 'sent', 5000),
        m('shot-out-4xxx', 'out', 4, 'Almost there', 'queued', 6000),
      ]);
      app.storageFault = 'full';
      await app.open(bob.address);
    }, { bob: { ...bob, signingPublicKey: Array.from(bob.signingPublicKey), boxPublicKey: Array.from(bob.boxPublicKey) }, card });
    await page.waitForTimeout(500);
    await page.screenshot({ path: `/tmp/delivery-shots/chat-${width}-${scheme}.png` });
    await page.getByRole('button', { name: 'My profile' }).click();
    await page.getByRole('checkbox', { name: 'Send read receipts' }).scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    await page.screenshot({ path: `/tmp/delivery-shots/profile-${width}-${scheme}.png` });
    await page.close();
  }
}
await browser.close();
await relay.close();
process.exit(0);
