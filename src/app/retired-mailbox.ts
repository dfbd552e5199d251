/** The relay mailbox of an address retired by a key rotation, reached with its old keys. */

import type { Identity } from '../core/identity.ts';
import { RelayControl } from '../transport/relay-control.ts';
import { RelayMailbox } from '../transport/relay-mailbox.ts';
import { controlSocketUrl, createRelayToken } from '../transport/relay-token.ts';
import { createLogger } from './logger.ts';

/**
 * Opens a control socket authenticated as `retired` and returns it with the mailbox it serves.
 * The caller stops the control socket when it no longer needs the mailbox.
 */
export function openRetiredMailbox(relayUrl: string, retired: Identity): { control: RelayControl; mailbox: RelayMailbox } {
  const relay = new URL(relayUrl);
  const control = new RelayControl({ url: controlSocketUrl(relayUrl), logger: createLogger('relay') });
  control.start({ address: retired.address, createToken: () => createRelayToken(relay, retired) });

  return { control, mailbox: new RelayMailbox(control) };
}
