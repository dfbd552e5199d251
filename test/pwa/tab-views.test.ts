import { afterEach, describe, expect, it } from 'vitest';
import { watchTabViews, type TabView, type TabViews } from '../../src/pwa/tab-views.ts';

const opened: TabViews[] = [];

/** Starts one tab's view watch; Node's BroadcastChannel connects them as browser tabs are. */
function openTab(view: TabView, timeoutMs = 200): TabViews {
  const views = watchTabViews(() => view, timeoutMs);
  opened.push(views);

  return views;
}

afterEach(() => {
  for (const views of opened.splice(0)) views.close();
});

describe('watchTabViews', () => {
  it('counts its own visible chat', async () => {
    const tab = openTab({ isVisible: true, conversation: 'alice' });

    expect(await tab.isConversationOnScreen('alice')).toBe(true);
  });

  it('finds the chat visible in another tab', async () => {
    const leader = openTab({ isVisible: false, conversation: 'alice' });
    openTab({ isVisible: true, conversation: 'alice' });

    expect(await leader.isConversationOnScreen('alice')).toBe(true);
  });

  it('counts a visible conversation list', async () => {
    const leader = openTab({ isVisible: false, conversation: undefined });
    openTab({ isVisible: true, conversation: undefined });

    expect(await leader.isConversationOnScreen('alice')).toBe(true);
  });

  it('ignores a visible tab with another chat', async () => {
    const leader = openTab({ isVisible: false, conversation: undefined });
    openTab({ isVisible: true, conversation: 'carol' });

    expect(await leader.isConversationOnScreen('alice')).toBe(false);
  });

  it('ignores hidden tabs showing the chat', async () => {
    const leader = openTab({ isVisible: false, conversation: 'alice' });
    openTab({ isVisible: false, conversation: 'alice' });

    expect(await leader.isConversationOnScreen('alice')).toBe(false);
  });

  it('answers false after the timeout when alone', async () => {
    const leader = openTab({ isVisible: false, conversation: undefined }, 50);
    const startedAt = Date.now();

    expect(await leader.isConversationOnScreen('alice')).toBe(false);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(45);
  });

  it('ignores a closed tab', async () => {
    const leader = openTab({ isVisible: false, conversation: undefined });
    openTab({ isVisible: true, conversation: 'alice' }).close();

    expect(await leader.isConversationOnScreen('alice')).toBe(false);
  });
});
