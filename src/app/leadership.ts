/**
 * Picks the one tab that talks to the network. Two tabs registering the same address at the
 * relay would keep replacing each other, so exactly one tab (the leader) connects and the
 * others render the same IndexedDB and write to the same outbox.
 *
 * With Web Locks (secure contexts) the leader holds a lock until the tab closes, and the
 * browser hands it to the next tab. Without them (plain HTTP on a LAN address) tabs elect a
 * leader over BroadcastChannel: the leader announces itself every second, a tab that hears
 * nothing for a while claims the role, and of two leaders the one with the larger id resigns.
 */

const LOCK_NAME = 'meshtext-network';
const CHANNEL_NAME = 'meshtext-leader';
const HEARTBEAT_INTERVAL_MS = 1_000;
const LEADER_SILENCE_LIMIT_MS = 3_000;

export interface LeadershipHandlers {
  onLead(): void;
  /** Called when another tab leads at the moment this one starts. */
  onFollow(): void;
  /** Called in the fallback election only, when another tab turns out to lead as well. */
  onResign(): void;
}

type ElectionMessage = { type: 'leader'; tabId: string } | { type: 'query' };

/** Starts competing for leadership; handlers fire when this tab wins or, rarely, resigns. */
export function competeForLeadership(handlers: LeadershipHandlers): void {
  if (globalThis.navigator?.locks) {
    const holdUntilTabCloses = (): Promise<never> => {
      handlers.onLead();
      return new Promise<never>(() => {});
    };

    void navigator.locks.request(LOCK_NAME, { ifAvailable: true }, (lock) => {
      if (lock) return holdUntilTabCloses();

      handlers.onFollow();
      void navigator.locks.request(LOCK_NAME, holdUntilTabCloses);
      return undefined;
    });
    return;
  }

  if (typeof BroadcastChannel === 'function') {
    electOverBroadcastChannel(handlers);
    return;
  }

  handlers.onLead();
}

function electOverBroadcastChannel(handlers: LeadershipHandlers): void {
  const channel = new BroadcastChannel(CHANNEL_NAME);
  const tabId = crypto.randomUUID?.() ?? String(Math.random()).slice(2);
  let isLeader = false;
  let hasReportedFollow = false;
  // A running leader replies to the query at once. Without a reply this tab claims the role
  // after about a second instead of a full silence limit.
  let lastHeardLeaderAt = Date.now() - LEADER_SILENCE_LIMIT_MS + HEARTBEAT_INTERVAL_MS;

  channel.addEventListener('message', (event: MessageEvent<ElectionMessage>) => {
    if (event.data?.type === 'query') {
      if (isLeader) channel.postMessage({ type: 'leader', tabId } satisfies ElectionMessage);
      return;
    }
    if (event.data?.type !== 'leader') return;

    lastHeardLeaderAt = Date.now();
    if (!isLeader && !hasReportedFollow) {
      hasReportedFollow = true;
      handlers.onFollow();
    }
    if (isLeader && event.data.tabId < tabId) {
      isLeader = false;
      handlers.onResign();
    }
  });

  channel.postMessage({ type: 'query' } satisfies ElectionMessage);
  setInterval(() => {
    if (isLeader) {
      channel.postMessage({ type: 'leader', tabId } satisfies ElectionMessage);
    } else if (Date.now() - lastHeardLeaderAt > LEADER_SILENCE_LIMIT_MS) {
      isLeader = true;
      channel.postMessage({ type: 'leader', tabId } satisfies ElectionMessage);
      handlers.onLead();
    }
  }, HEARTBEAT_INTERVAL_MS);
}
