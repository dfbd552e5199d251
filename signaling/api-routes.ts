/**
 * Small JSON endpoints of the relay: health, proof challenges and the ICE server list.
 *
 * Responses carry `Access-Control-Allow-Origin: *` because they contain nothing private, and
 * an app served from another origin (a development server, for example) must be able to
 * fetch them. They are never cached, since each challenge is single use.
 */

import express, { type Response, type Router } from 'express';
import { CHALLENGE_TTL_MS, type ChallengeStore } from './challenge-store.ts';
import type { PresenceRegistry } from './presence-registry.ts';
import type { IceServer } from './relay-options.ts';

/** Data the endpoints read. */
export interface ApiRouteOptions {
  challenges: ChallengeStore;
  registry: PresenceRegistry;
  iceServers: readonly IceServer[];
  startedAtMs: number;
}

/** Creates the router for GET /health, /relay/challenge and /relay/config. */
export function createApiRouter(options: ApiRouteOptions): Router {
  const router = express.Router();

  router.get('/health', (_request, response) => {
    sendJson(response, {
      status: 'ok',
      peers: options.registry.size,
      uptimeSeconds: Math.floor((Date.now() - options.startedAtMs) / 1000),
    });
  });

  router.get('/relay/challenge', (_request, response) => {
    sendJson(response, { challenge: options.challenges.issue(), expiresInMs: CHALLENGE_TTL_MS });
  });

  router.get('/relay/config', (_request, response) => {
    sendJson(response, { iceServers: options.iceServers });
  });

  return router;
}

function sendJson(response: Response, body: unknown): void {
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('Access-Control-Allow-Origin', '*');
  response.json(body);
}
