/**
 * Reads an envelope that reached this user through a third party (the relay's mailbox or a
 * carrying peer): opens it, decodes the payload inside and checks that the payload matches the
 * authenticated envelope header. The mailbox and carrying paths then store what it returns.
 */

import type { Card } from './card.ts';
import { openEnvelope } from './crypto/envelope.ts';
import type { Identity } from './identity.ts';
import type { ChatPayload } from './messages.ts';
import { decodePayload } from './messages.ts';

/** Content of an envelope for this user, or the reason it can never be read. */
export type InboundEnvelope =
  | { kind: 'ack'; sender: Card; ids: string[] }
  | { kind: 'msg'; sender: Card; payload: ChatPayload }
  | { kind: 'invalid'; reason: string };

/**
 * Opens an envelope addressed to `identity`; see openEnvelope for `knownCard`. A chat message
 * whose id differs from the id in the envelope header is invalid, because de-duplication relies
 * on the header id.
 */
export function readInboundEnvelope(
  identity: Identity,
  envelope: Uint8Array,
  now: number,
  knownCard: (address: string) => Card | undefined,
): InboundEnvelope {
  try {
    const opened = openEnvelope(identity, envelope, now, knownCard);
    const payload = decodePayload(opened.payload);
    if (payload.t === 'ack') return { kind: 'ack', sender: opened.sender, ids: payload.ids };
    if (payload.t !== 'msg' || payload.id !== opened.id) {
      return { kind: 'invalid', reason: `envelope payload does not match its header (type ${payload.t})` };
    }

    return { kind: 'msg', sender: opened.sender, payload };
  } catch (error) {
    return { kind: 'invalid', reason: String(error) };
  }
}
