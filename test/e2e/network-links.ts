/**
 * Control over the veth links of the test's own network namespace (see scripts/in-netns.sh).
 * Taking them down leaves the browsers only the loopback interface, which WebRTC does not
 * gather candidates on, so no direct link can open while the relay on 127.0.0.1 still works:
 * the situation of Wi-Fi that isolates devices from each other.
 */

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Names of the namespace's veth links, or an empty list outside such a namespace. */
export function namespaceLinks(): string[] {
  return (process.env.MESHTEXT_NETNS_LINKS ?? '').split(' ').filter((name) => name !== '');
}

/**
 * Sets every veth link of the namespace up or down. Taking a link down also deletes the routes
 * through it, so bringing the links up restores the default route: without it Chromium finds
 * no local address to gather WebRTC candidates on, and later tests could only use the mailbox.
 */
export async function setLinks(state: 'up' | 'down'): Promise<void> {
  for (const link of namespaceLinks()) await run('ip', ['link', 'set', link, state]);

  const route = process.env.MESHTEXT_NETNS_ROUTE;
  if (state === 'up' && route) await run('ip', ['route', 'replace', ...route.split(' ')]);
}
