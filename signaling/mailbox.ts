/**
 * The relay mailbox: sealed envelopes kept for recipients that are offline. It enforces the
 * per-recipient quota, the envelope size cap and the maximum time to live, and sweeps
 * expired envelopes.
 *
 * Stores are committed in groups: every store that arrives while the event loop is busy
 * joins the next transaction, which runs on `setImmediate`. A store resolves only after its
 * transaction committed, so an acknowledged envelope survives a crash of the relay process,
 * and one fsync covers the whole group.
 */

import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { addressForLog, describeError, type Logger } from './logger.ts';
import { MailboxError } from './mailbox-error.ts';
import { MAILBOX_FILE_NAME, openMailboxStore, type EnvelopeRow, type EnvelopeUsage, type MailboxStore } from './mailbox-store.ts';
import type { RelayMetrics } from './metrics.ts';
import type { RelayLimits } from './relay-limits.ts';

/** Interval of the expiry sweep. */
export const MAILBOX_SWEEP_INTERVAL_MS = 60_000;

/** Maximum total body size of one fetch reply, so a reply stays a few MiB at most. */
export const MAX_FETCH_REPLY_BYTES = 4 * 1024 * 1024;

/** Maximum number of recipients whose usage is cached; others are read from the database. */
const MAX_CACHED_RECIPIENTS = 50_000;

const ENVELOPE_ID_BYTES = 16;

export { MailboxError, type MailboxRejection } from './mailbox-error.ts';

/** A store request after its fields were validated by the protocol parser. */
export interface StoreRequest {
  sender: string;
  recipient: string;
  body: Buffer;
  /** Requested time to live; the maximum when undefined. */
  ttlMs: number | undefined;
}

/** Acknowledgement of a committed store. */
export interface StoreReceipt {
  id: string;
  expiresAt: number;
}

/** An envelope handed to its recipient. */
export interface FetchedEnvelope {
  id: string;
  body: Buffer;
  storedAt: number;
  expiresAt: number;
}

/** Called after a commit, once per recipient that got at least one new envelope. */
export type NewMailListener = (recipient: string) => void;

/** The mailbox of one relay. */
export interface Mailbox {
  /**
   * Queues an envelope for the next transaction and resolves once it is on disk.
   * @throws MailboxError (as a rejection) for 'too-large', 'invalid' (time to live out of
   *   range), 'quota-exceeded', 'rate-limited' (too many stores waiting) or 'unavailable'
   *   (the database failed or the mailbox is closed).
   */
  store(request: StoreRequest): Promise<StoreReceipt>;
  /** Returns up to `limit` of the oldest unexpired envelopes of `recipient`. */
  fetch(recipient: string, limit: number): FetchedEnvelope[];
  /** Deletes envelopes of `recipient` by id and returns how many existed. */
  delete(recipient: string, ids: readonly string[]): number;
  /** Deletes expired envelopes now and returns how many. The relay also runs it every minute. */
  sweepExpired(): number;
  /** Adds a listener for new mail. Returns a function that removes it. */
  onNewMail(listener: NewMailListener): () => void;
  /** Envelopes and body bytes stored, expired ones not swept yet included. */
  usage(): EnvelopeUsage;
  /** Commits the stores still queued, stops the sweep and closes the database. */
  close(): void;
}

/** Settings of the mailbox. */
export interface MailboxOptions {
  /** Directory of the database file, or undefined for an in-memory database. */
  dataDir: string | undefined;
  limits: Pick<RelayLimits, 'maxEnvelopeBytes' | 'mailboxMaxEnvelopes' | 'mailboxMaxBytes' | 'mailboxMaxTtlMs' | 'maxPendingStores'>;
  logger: Logger;
  metrics: RelayMetrics;
  now?: () => number;
  sweepIntervalMs?: number;
}

interface PendingStore {
  row: EnvelopeRow;
  sender: string;
  resolve(receipt: StoreReceipt): void;
  reject(error: MailboxError): void;
}

/**
 * Opens the mailbox database in `dataDir` (creating it when missing), sweeps expired
 * envelopes once and starts the periodic sweep.
 * @throws the SQLite error when the database cannot be opened, for example SQLITE_BUSY when
 *   another relay uses the same data directory.
 */
export function openMailbox(options: MailboxOptions): Mailbox {
  const { limits, logger, metrics } = options;
  const now = options.now ?? Date.now;
  const file = options.dataDir === undefined ? ':memory:' : path.join(options.dataDir, MAILBOX_FILE_NAME);
  if (options.dataDir !== undefined) mkdirSync(options.dataDir, { recursive: true });
  const store: MailboxStore = openMailboxStore(file);
  const usageByRecipient = new Map<string, EnvelopeUsage>();
  const listeners = new Set<NewMailListener>();
  const total = store.totalUsage();
  let pending: PendingStore[] = [];
  let isFlushScheduled = false;
  let isClosed = false;

  const cachedUsageOf = (recipient: string): EnvelopeUsage => {
    let usage = usageByRecipient.get(recipient);

    if (usage === undefined) {
      usage = store.usageOf(recipient);
      usageByRecipient.set(recipient, usage);
    }

    return usage;
  };

  const forgetUsage = (recipient: string, freed: EnvelopeUsage): void => {
    const usage = usageByRecipient.get(recipient);
    if (usage === undefined) return;

    usage.count -= freed.count;
    usage.bytes -= freed.bytes;
    if (usage.count <= 0) usageByRecipient.delete(recipient);
  };

  const trimUsageCache = (): void => {
    for (const recipient of usageByRecipient.keys()) {
      if (usageByRecipient.size <= MAX_CACHED_RECIPIENTS) return;
      usageByRecipient.delete(recipient);
    }
  };

  const flush = (): void => {
    isFlushScheduled = false;
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;

    trimUsageCache();
    const accepted: PendingStore[] = [];
    const added = new Map<string, EnvelopeUsage>();

    for (const item of batch) {
      const { recipient } = item.row;
      const stored = cachedUsageOf(recipient);
      const batchUsage = added.get(recipient) ?? { count: 0, bytes: 0 };
      const quotaError = checkQuota(stored, batchUsage, item.row.body.length, limits);

      if (quotaError) {
        metrics.mailboxRejections.inc({ reason: quotaError.reason });
        logger.warn('envelope rejected', { reason: quotaError.reason, to: addressForLog(recipient) });
        item.reject(quotaError);
        continue;
      }

      batchUsage.count += 1;
      batchUsage.bytes += item.row.body.length;
      added.set(recipient, batchUsage);
      accepted.push(item);
    }
    if (accepted.length === 0) return;

    try {
      store.insertAll(accepted.map((item) => item.row));
    } catch (error) {
      logger.error('mailbox commit failed', { envelopes: accepted.length, error: describeError(error) });
      for (const item of accepted) {
        metrics.mailboxRejections.inc({ reason: 'unavailable' });
        item.reject(new MailboxError('unavailable', 'the relay could not store the envelope; try again later', { cause: error }));
      }
      return;
    }

    for (const [recipient, batchUsage] of added) {
      const usage = cachedUsageOf(recipient);
      usage.count += batchUsage.count;
      usage.bytes += batchUsage.bytes;
      total.count += batchUsage.count;
      total.bytes += batchUsage.bytes;
    }
    for (const item of accepted) {
      const { row } = item;
      metrics.mailboxStored.inc();
      logger.info('envelope stored', { from: addressForLog(item.sender), to: addressForLog(row.recipient), bytes: row.body.length });
      item.resolve({ id: row.id, expiresAt: row.expiresAt });
    }
    for (const recipient of added.keys()) notify(recipient);
  };

  const notify = (recipient: string): void => {
    for (const listener of listeners) {
      try {
        listener(recipient);
      } catch (error) {
        logger.error('new mail listener failed', { error: describeError(error) });
      }
    }
  };

  const sweepExpired = (): number => {
    const expired = store.deleteExpired(now());

    for (const [recipient, freed] of expired.byRecipient) forgetUsage(recipient, freed);
    total.count -= expired.total.count;
    total.bytes -= expired.total.bytes;
    if (expired.total.count > 0) {
      metrics.mailboxExpired.inc(expired.total.count);
      logger.info('envelopes expired', { envelopes: expired.total.count, bytes: expired.total.bytes });
    }

    return expired.total.count;
  };

  const runSweep = (): void => {
    try {
      sweepExpired();
    } catch (error) {
      logger.error('mailbox sweep failed', { error: describeError(error) });
    }
  };

  runSweep();
  const sweepTimer = setInterval(runSweep, options.sweepIntervalMs ?? MAILBOX_SWEEP_INTERVAL_MS);
  sweepTimer.unref();
  logger.info('mailbox opened', { file: options.dataDir === undefined ? 'memory' : file, envelopes: total.count, bytes: total.bytes });

  return {
    store(request) {
      if (isClosed) return Promise.reject(new MailboxError('unavailable', 'the relay is shutting down; try again later'));

      const validationError = validateStore(request, limits) ?? (pending.length >= limits.maxPendingStores ? busyError() : undefined);
      if (validationError) {
        metrics.mailboxRejections.inc({ reason: validationError.reason });
        return Promise.reject(validationError);
      }

      const storedAt = now();
      const row: EnvelopeRow = {
        id: randomBytes(ENVELOPE_ID_BYTES).toString('base64url'),
        recipient: request.recipient,
        body: request.body,
        storedAt,
        expiresAt: storedAt + (request.ttlMs ?? limits.mailboxMaxTtlMs),
      };

      return new Promise<StoreReceipt>((resolve, reject) => {
        pending.push({ row, sender: request.sender, resolve, reject });
        if (!isFlushScheduled) {
          isFlushScheduled = true;
          setImmediate(flush);
        }
      });
    },

    fetch(recipient, limit) {
      const envelopes = store.fetch(recipient, now(), limit, MAX_FETCH_REPLY_BYTES);
      metrics.mailboxFetched.inc(envelopes.length);

      return envelopes;
    },

    delete(recipient, ids) {
      const deleted = store.deleteOwn(recipient, ids);

      forgetUsage(recipient, deleted);
      total.count -= deleted.count;
      total.bytes -= deleted.bytes;
      metrics.mailboxDeleted.inc(deleted.count);

      return deleted.count;
    },

    sweepExpired,

    onNewMail(listener) {
      listeners.add(listener);

      return () => listeners.delete(listener);
    },

    usage: () => ({ ...total }),

    close() {
      if (isClosed) return;

      isClosed = true;
      clearInterval(sweepTimer);
      flush();
      listeners.clear();
      store.close();
      logger.info('mailbox closed', { envelopes: total.count });
    },
  };
}

function validateStore(request: StoreRequest, limits: MailboxOptions['limits']): MailboxError | undefined {
  if (request.body.length > limits.maxEnvelopeBytes) {
    return new MailboxError('too-large', `envelope of ${request.body.length} bytes exceeds the maximum of ${limits.maxEnvelopeBytes} bytes`);
  }

  const { ttlMs } = request;
  if (ttlMs !== undefined && (!Number.isSafeInteger(ttlMs) || ttlMs < 1 || ttlMs > limits.mailboxMaxTtlMs)) {
    return new MailboxError('invalid', `ttlMs must be an integer from 1 to ${limits.mailboxMaxTtlMs}, got ${String(ttlMs)}`);
  }

  return undefined;
}

function busyError(): MailboxError {
  return new MailboxError('rate-limited', 'the relay has too many stores in progress; retry after the pending acknowledgements');
}

function checkQuota(stored: EnvelopeUsage, batch: EnvelopeUsage, bodyBytes: number, limits: MailboxOptions['limits']): MailboxError | undefined {
  if (stored.count + batch.count + 1 > limits.mailboxMaxEnvelopes) {
    return new MailboxError('quota-exceeded', `the recipient's mailbox already contains its maximum of ${limits.mailboxMaxEnvelopes} envelopes`);
  }

  if (stored.bytes + batch.bytes + bodyBytes > limits.mailboxMaxBytes) {
    return new MailboxError('quota-exceeded', `the recipient's mailbox would exceed its maximum of ${limits.mailboxMaxBytes} bytes`);
  }

  return undefined;
}
