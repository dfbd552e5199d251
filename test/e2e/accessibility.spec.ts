import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page } from '@playwright/test';
import { createIdentity, messageBox, messageLog, readOwnInvite } from './app.ts';
import { assertAppBuilt, expect, test } from './fixtures.ts';
import { walkScreens } from './screens.ts';

test.beforeAll(() => assertAppBuilt());

/** One axe finding, shortened to what a reader needs to find and fix it. */
interface Finding {
  screen: string;
  rule: string;
  impact: string;
  targets: string[];
}

async function findSeriousProblems(page: Page, screen: string): Promise<Finding[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();

  return results.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => ({
      screen,
      rule: violation.id,
      impact: violation.impact ?? 'unknown',
      targets: violation.nodes.map((node) => node.target.join(' ')),
    }));
}

for (const colorScheme of ['light', 'dark'] as const) {
  test(`every screen passes axe in ${colorScheme} mode`, async ({ relay, openBrowser }) => {
    const alice = await openBrowser('alice');
    const bob = await openBrowser('bob');
    await alice.page.emulateMedia({ colorScheme });
    await createIdentity(bob.page, relay.url, 'Bob');
    const findings: Finding[] = [];
    const visited: string[] = [];

    await walkScreens(alice.page, relay.url, bob.page, async (screen) => {
      visited.push(screen);
      findings.push(...(await findSeriousProblems(alice.page, screen)));
    });

    expect(visited).toEqual([
      'onboarding',
      'empty-list',
      'add-contact',
      'chat',
      'verify',
      'conversation-list',
      'share-invite',
      'profile',
      'backup',
    ]);
    expect(findings).toEqual([]);
  });
}

/** Presses Tab until `target` has focus, at most 30 times. */
async function tabTo(page: Page, target: Locator): Promise<void> {
  for (let step = 0; step < 30; step += 1) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((element) => element === document.activeElement)) return;
  }

  throw new Error(`${String(target)} is not reachable with Tab`);
}

test('main screen works by keyboard alone', async ({ relay, openBrowser }) => {
  const alice = await openBrowser('alice');
  const bob = await openBrowser('bob');
  await createIdentity(bob.page, relay.url, 'Bob');
  const invite = await readOwnInvite(bob.page);
  const page = alice.page;
  await page.setViewportSize({ width: 1280, height: 800 });
  await createIdentity(page, relay.url, 'Alice');

  await tabTo(page, page.getByRole('button', { name: 'Add contact' }));
  await page.keyboard.press('Enter');
  const addDialog = page.getByRole('dialog', { name: 'Add contact' });
  await expect(addDialog.getByRole('textbox', { name: 'Invite link' })).toBeFocused();
  await page.keyboard.insertText(invite);
  await tabTo(page, addDialog.getByRole('button', { name: 'Save contact' }));
  await page.keyboard.press('Enter');
  await expect(addDialog).toBeHidden();

  await expect(messageBox(page)).toBeVisible();
  await page.locator('body').focus();
  await tabTo(page, messageBox(page));
  await page.keyboard.insertText('typed without a mouse');
  await tabTo(page, page.getByRole('button', { name: 'Send' }));
  await page.keyboard.press('Enter');
  await expect(messageLog(page).getByText('typed without a mouse')).toBeVisible();

  await page.locator('body').focus();
  await tabTo(page, page.getByRole('button', { name: 'My profile' }));
  await page.keyboard.press('Enter');
  const profile = page.getByRole('dialog', { name: 'My profile' });
  await expect(profile).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(profile).toBeHidden();
  await expect(page.getByRole('button', { name: 'My profile' })).toBeFocused();
});
