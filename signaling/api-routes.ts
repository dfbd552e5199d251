/**
 * Small endpoints of the relay: health, Prometheus metrics, proof challenges and the ICE
 * server list.
 *
 * Without a list of allowed origins the JSON responses carry `Access-Control-Allow-Origin: *`,
 * because they contain nothing private and an app served from another origin (a development
 * server, for example) must be able to fetch them. With a list, other origins get 403 and
 * allowed ones get their own origin back. Responses are never cached, since each challenge is
 * single use. Challenges are rate-limited per client IP address.
 */

import express, { type Request, type Response, type Router } from 'express';
import { CHALLENGE_TTL_MS, type ChallengeStore } from './challenge-store.ts';
import type { Mailbox } from './mailbox.ts';
import type { RelayMetrics } from './metrics.ts';
import type { OriginPolicy } from './origin-policy.ts';
import type { PresenceRegistry } from './presence-registry.ts';
import type { IceServer } from './relay-options.ts';
import { clientKeyOf, type KeyedRateLimiter } from './token-bucket.ts';

/** Data the endpoints read. */
export interface ApiRouteOptions {
  challenges: ChallengeStore;
  /** Token buckets of challenge requests, keyed by client IP address. */
  challengeLimiter: KeyedRateLimiter;
  /** Value of the Retry-After header, in seconds, on a rate-limited challenge request. */
  challengeRetryAfterSeconds: number;
  registry: PresenceRegistry;
  mailbox: Mailbox;
  controlSocketCount: () => number;
  metrics: RelayMetrics;
  originPolicy: OriginPolicy;
  iceServers: readonly IceServer[];
  startedAtMs: number;
}

/** Creates the router for GET /health, /metrics, /relay/challenge and /relay/config. */
export function createApiRouter(options: ApiRouteOptions): Router {
  const { metrics, originPolicy } = options;
  const router = express.Router();

  const sendJson = (request: Request, response: Response, body: unknown, status = 200): void => {
    response.setHeader('Cache-Control', 'no-store');
    if (!originPolicy.isRestricted) {
      response.setHeader('Access-Control-Allow-Origin', '*');
    } else if (request.headers.origin !== undefined) {
      response.setHeader('Access-Control-Allow-Origin', request.headers.origin);
      response.setHeader('Vary', 'Origin');
    }
    response.status(status).json(body);
  };

  router.use(['/health', '/metrics', '/relay/challenge', '/relay/config'], (request, response, next) => {
    if (originPolicy.isAllowed(request)) {
      next();
      return;
    }

    metrics.rejections.inc({ kind: 'http', reason: 'origin-not-allowed' });
    response.setHeader('Cache-Control', 'no-store');
    response.status(403).json({ error: 'this origin is not allowed to use the relay' });
  });

  router.get('/health', (request, response) => {
    const usage = options.mailbox.usage();

    sendJson(request, response, {
      status: 'ok',
      peers: options.registry.size,
      controlSockets: options.controlSocketCount(),
      mailboxEnvelopes: usage.count,
      mailboxBytes: usage.bytes,
      uptimeSeconds: Math.floor((Date.now() - options.startedAtMs) / 1000),
    });
  });

  router.get('/metrics', (_request, response, next) => {
    metrics.registry.metrics().then((text) => {
      response.setHeader('Cache-Control', 'no-store');
      response.type(metrics.registry.contentType).send(text);
    }, next);
  });

  router.get('/relay/challenge', (request, response) => {
    if (!options.challengeLimiter.take(clientKeyOf(request.socket.remoteAddress))) {
      metrics.rejections.inc({ kind: 'http', reason: 'rate-limited' });
      response.setHeader('Retry-After', String(options.challengeRetryAfterSeconds));
      sendJson(request, response, { error: 'too many challenge requests from this address; retry later' }, 429);
      return;
    }

    sendJson(request, response, { challenge: options.challenges.issue(), expiresInMs: CHALLENGE_TTL_MS });
  });

  router.get('/relay/config', (request, response) => {
    sendJson(request, response, { iceServers: options.iceServers });
  });

  return router;
}
