/** Turns a broadcast report into the counts its progress bar and recipient lines show. */

import type { MessageKey } from '../i18n/index.ts';
import type { BroadcastReport, RecipientReport } from '../data/organiser-queries.ts';

export interface BroadcastProgress {
  total: number;
  /** Copies queued so far (whatever became of them since). */
  queued: number;
  /** Copies the recipient stored, read ones included. */
  delivered: number;
  /** Recipients who get no copy: opted out, blocked, not accepted, or cancelled. */
  skipped: number;
  /** True while copies still wait to be queued. */
  isQueuing: boolean;
}

export function progressOf(report: BroadcastReport): BroadcastProgress {
  const lines = report.recipients;
  const skipped = lines.filter((line) => statusKeyOf(line) === 'broadcast.recipient.cancelled' || !['pending', 'queued'].includes(line.recipient.outcome));

  return {
    total: lines.length,
    queued: lines.filter((line) => line.recipient.outcome === 'queued').length,
    delivered: lines.filter((line) => line.copyStatus === 'delivered' || line.copyStatus === 'read').length,
    skipped: skipped.length,
    isQueuing: lines.some((line) => line.recipient.outcome === 'pending'),
  };
}

/** Returns the catalog key of one recipient's state. */
export function statusKeyOf(line: RecipientReport): MessageKey {
  switch (line.recipient.outcome) {
    case 'pending':
      return 'broadcast.recipient.pending';
    case 'opted-out':
      return 'broadcast.recipient.optedOut';
    case 'blocked':
      return 'broadcast.recipient.blocked';
    case 'not-accepted':
      return 'broadcast.recipient.notAccepted';
    case 'queued':
      break;
  }

  switch (line.copyStatus) {
    case 'delivered':
      return 'broadcast.recipient.delivered';
    case 'read':
      return 'broadcast.recipient.read';
    case 'sent':
      return 'broadcast.recipient.sent';
    case 'cancelled':
      return 'broadcast.recipient.cancelled';
    default:
      return 'broadcast.recipient.queued';
  }
}
