/** Relay tokens: a fresh single-use challenge from the relay, signed with the identity's key. */

import nacl from 'tweetnacl';
import { toBase64Url } from '../core/bytes.ts';
import type { Identity } from '../core/identity.ts';
import { formatRelayToken, relayProofMessage } from '../core/relay-proof.ts';

export const RELAY_PATH = '/relay';
/** Time allowed for a relay HTTP request; a half-open pooled connection would otherwise hang it. */
export const RELAY_REQUEST_TIMEOUT_MS = 10_000;

/**
 * Fetches a challenge from the relay and returns the signed token for it.
 * @throws Error when the relay cannot be reached or responds with an error status.
 */
export async function createRelayToken(relayUrl: URL, identity: Identity): Promise<string> {
  const response = await fetch(new URL(`${RELAY_PATH}/challenge`, relayUrl), {
    cache: 'no-store',
    signal: AbortSignal.timeout(RELAY_REQUEST_TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`relay challenge request failed with HTTP ${response.status}`);

  const { challenge } = (await response.json()) as { challenge: string };
  const signature = nacl.sign.detached(relayProofMessage(challenge), identity.signingSecretKey);

  return formatRelayToken(challenge, toBase64Url(signature));
}

/** Returns the ws:// or wss:// URL of the relay's control socket. */
export function controlSocketUrl(relayUrl: string): string {
  const relay = new URL(relayUrl);
  const scheme = relay.protocol === 'https:' ? 'wss:' : 'ws:';

  return `${scheme}//${relay.host}${RELAY_PATH}/control`;
}
