/**
 * Prometheus metrics of one relay (prom-client), served by GET /metrics. Each relay has its
 * own registry, so several relays in one process (tests) keep separate counts. Metrics carry
 * counts only: no address, IP or payload ever becomes a label.
 */

import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

/** Part of the relay that rejected something, the `kind` label of the rejection counter. */
export type RejectionKind = 'http' | 'upgrade' | 'peer' | 'control';

/** Counters of one relay. Gauges read their values when scraped. */
export interface RelayMetrics {
  readonly registry: Registry;
  readonly peerRegistrations: Counter;
  readonly controlAuthentications: Counter;
  readonly rejections: Counter<'kind' | 'reason'>;
  readonly mailboxStored: Counter;
  readonly mailboxFetched: Counter;
  readonly mailboxDeleted: Counter;
  readonly mailboxExpired: Counter;
  readonly mailboxRejections: Counter<'reason'>;

  /** Adds a gauge whose value `read` returns at scrape time. */
  addGauge(name: string, help: string, read: () => number): void;
}

/** Creates the registry with the relay's counters and Node's default process metrics. */
export function createRelayMetrics(): RelayMetrics {
  const registry = new Registry();
  const counter = <Label extends string = never>(name: string, help: string, labelNames: Label[] = []): Counter<Label> =>
    new Counter<Label>({ name, help, labelNames, registers: [registry] });

  collectDefaultMetrics({ register: registry });

  return {
    registry,
    peerRegistrations: counter('meshtext_peer_registrations_total', 'PeerJS registrations admitted after an ownership proof.'),
    controlAuthentications: counter('meshtext_control_authentications_total', 'Control sockets authenticated with an ownership proof.'),
    rejections: counter(
      'meshtext_relay_rejections_total',
      'Requests, sockets and messages that the relay rejected, by part of the relay and reason.',
      ['kind', 'reason'],
    ),
    mailboxStored: counter('meshtext_mailbox_stored_total', 'Envelopes stored and acknowledged.'),
    mailboxFetched: counter('meshtext_mailbox_fetched_total', 'Envelopes returned to their recipient.'),
    mailboxDeleted: counter('meshtext_mailbox_deleted_total', 'Envelopes deleted by their recipient.'),
    mailboxExpired: counter('meshtext_mailbox_expired_total', 'Envelopes deleted because their time to live ran out.'),
    mailboxRejections: counter('meshtext_mailbox_rejections_total', 'Mailbox requests rejected, by reason.', ['reason']),

    addGauge(name, help, read) {
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(read());
        },
      });
    },
  };
}
