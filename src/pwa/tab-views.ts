/**
 * The view of each open tab of the app, so that the tab that notifies can skip a notification
 * for a chat that the user already sees in some tab. Tabs reply to queries over a
 * BroadcastChannel. Asking at the moment of notifying, instead of tracking every tab, means
 * that a tab that closed or crashed without saying goodbye cannot suppress notifications.
 */

const CHANNEL_NAME = 'meshtext-tab-views';

/** Time the notifying tab waits for the other tabs' replies before it notifies. */
export const VIEW_ANSWER_TIMEOUT_MS = 300;

/** The view of one tab. */
export interface TabView {
  isVisible: boolean;
  /** Address of the open one-to-one chat, or id of the open group chat, if a chat is open. */
  conversation: string | undefined;
}

type ViewMessage = { type: 'query'; queryId: string } | ({ type: 'view'; queryId: string } & TabView);

export interface TabViews {
  /**
   * Resolves true when this tab or another one is visible and shows the chat with
   * `conversation`, or shows no chat, so that the conversation list with its unread counts is
   * on screen. A visible tab with another chat open does not count.
   */
  isConversationOnScreen(conversation: string): Promise<boolean>;
  /** Stops replying to queries and closes the channel. */
  close(): void;
}

/**
 * Starts replying to other tabs' queries with `describeOwnView()`, and returns the handle that
 * asks them. Without BroadcastChannel only this tab's own view counts.
 */
export function watchTabViews(describeOwnView: () => TabView, timeoutMs = VIEW_ANSWER_TIMEOUT_MS): TabViews {
  const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL_NAME) : undefined;
  const pendingQueries = new Map<string, (view: TabView) => void>();

  channel?.addEventListener('message', (event: MessageEvent<ViewMessage | undefined>) => {
    const message = event.data;
    if (message?.type === 'query') {
      channel.postMessage({ type: 'view', queryId: message.queryId, ...describeOwnView() } satisfies ViewMessage);
    } else if (message?.type === 'view') {
      pendingQueries.get(message.queryId)?.({ isVisible: message.isVisible === true, conversation: message.conversation });
    }
  });

  return {
    isConversationOnScreen(conversation) {
      if (isShowing(describeOwnView(), conversation)) return Promise.resolve(true);
      if (!channel) return Promise.resolve(false);

      const queryId = crypto.randomUUID();

      return new Promise<boolean>((resolve) => {
        const finish = (isOnScreen: boolean): void => {
          clearTimeout(timer);
          pendingQueries.delete(queryId);
          resolve(isOnScreen);
        };
        const timer = setTimeout(() => finish(false), timeoutMs);

        pendingQueries.set(queryId, (view) => {
          if (isShowing(view, conversation)) finish(true);
        });
        channel.postMessage({ type: 'query', queryId } satisfies ViewMessage);
      });
    },
    close() {
      channel?.close();
      pendingQueries.clear();
    },
  };
}

function isShowing(view: TabView, conversation: string): boolean {
  return view.isVisible && (view.conversation === undefined || view.conversation === conversation);
}
