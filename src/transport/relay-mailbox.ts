/**
 * The relay's mailbox, reached through the authenticated control socket. Envelopes travel as
 * base64url; the relay stores them in SQLite and confirms only after the write is on disk.
 */

import { fromBase64Url, toBase64Url } from '../core/bytes.ts';
import type { Mailbox, MailboxErrorReason, StoredEnvelope } from '../core/mailbox-port.ts';
import { MailboxError } from '../core/mailbox-port.ts';
import type { ControlReply, RelayControl } from './relay-control.ts';

const ERROR_REASONS: MailboxErrorReason[] = ['quota-exceeded', 'too-large', 'invalid', 'rate-limited', 'unavailable', 'unauthenticated'];

export class RelayMailbox implements Mailbox {
  #control: RelayControl;

  constructor(control: RelayControl) {
    this.#control = control;
  }

  isAvailable(): boolean {
    return this.#control.isAuthenticated;
  }

  async put(recipient: string, envelope: Uint8Array, ttlMs: number): Promise<void> {
    const reply = await this.#request({ type: 'mailbox-put', to: recipient, envelope: toBase64Url(envelope), ttlMs });
    expectType(reply, 'mailbox-stored');
  }

  async fetch(limit: number): Promise<StoredEnvelope[]> {
    const reply = await this.#request({ type: 'mailbox-fetch', limit });
    expectType(reply, 'mailbox-envelopes');
    if (!Array.isArray(reply.envelopes)) throw new MailboxError('invalid', 'relay sent a fetch reply without envelopes');

    return reply.envelopes.flatMap((item: unknown) => {
      const { id, envelope } = (item ?? {}) as { id?: unknown; envelope?: unknown };
      if (typeof id !== 'string' || typeof envelope !== 'string') return [];

      try {
        return [{ id, envelope: fromBase64Url(envelope) }];
      } catch {
        return [];
      }
    });
  }

  async delete(ids: string[]): Promise<void> {
    const reply = await this.#request({ type: 'mailbox-delete', ids });
    expectType(reply, 'mailbox-deleted');
  }

  onReady(handler: () => void): void {
    this.#control.onMailboxReady = handler;
  }

  async #request(message: Record<string, unknown>): Promise<ControlReply> {
    try {
      return await this.#control.request(message);
    } catch (error) {
      throw new MailboxError('unavailable', 'the relay mailbox is not reachable', { cause: error });
    }
  }
}

function expectType(reply: ControlReply, type: string): void {
  if (reply.type === type) return;

  if (reply.type === 'mailbox-error') {
    const reason = ERROR_REASONS.find((known) => known === reply.reason) ?? 'invalid';
    throw new MailboxError(reason, `relay rejected the request: ${String(reply.message ?? reason)}`);
  }
  throw new MailboxError('invalid', `relay responded with ${reply.type} where ${type} was expected`);
}
