/**
 * Serving of the built PWA. The service worker, its helpers, the web manifest and index.html
 * are revalidated on every load (`no-cache`) so that a new build reaches users. Files under
 * /assets carry a content hash in their names and are cached for a year. Any other GET
 * navigation outside /relay and /health gets index.html, so that app routes survive a reload.
 */

import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from './logger.ts';

const NO_CACHE_FILE_NAMES = new Set(['index.html', 'sw.js', 'sw-notifications.js', 'registerSW.js', 'manifest.webmanifest']);
const WORKBOX_FILE_PATTERN = /^workbox-[\w-]+\.js$/;
const HASHED_ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/**
 * Creates a router that serves `staticDir`. When the directory or its index.html is missing,
 * the router only serves `/`, with a plain-text note to run `npm run build`.
 */
export function createStaticRouter(staticDir: string | undefined, logger: Logger): Router {
  const router = express.Router();
  const root = staticDir === undefined ? undefined : path.resolve(staticDir);
  const indexPath = root === undefined ? undefined : path.join(root, 'index.html');

  if (root === undefined || indexPath === undefined || !existsSync(indexPath)) {
    logger.warn('app not built', { staticDir: root ?? null });
    router.get('/', sendNotBuiltNote);
    return router;
  }

  router.use(
    express.static(root, {
      index: 'index.html',
      setHeaders: (response, filePath) => setCacheControl(response, root, filePath),
    }),
  );

  router.use((request, response, next) => {
    if (!isAppNavigation(request)) {
      next();
      return;
    }

    response.sendFile(indexPath, { headers: { 'Cache-Control': 'no-cache' } }, (error) => {
      if (error) next(error);
    });
  });

  return router;
}

function setCacheControl(response: Response, root: string, filePath: string): void {
  const relativePath = path.relative(root, filePath);
  const fileName = path.basename(filePath);

  if (relativePath.startsWith(`assets${path.sep}`)) {
    response.setHeader('Cache-Control', HASHED_ASSET_CACHE_CONTROL);
  } else if (NO_CACHE_FILE_NAMES.has(fileName) || WORKBOX_FILE_PATTERN.test(fileName)) {
    response.setHeader('Cache-Control', 'no-cache');
  }
}

/** Tells whether a request is a browser page load that the single-page app should handle. */
function isAppNavigation(request: Request): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  if (isUnderPath(request.path, '/relay') || isUnderPath(request.path, '/health')) return false;

  return request.headers.accept?.includes('text/html') ?? false;
}

function isUnderPath(requestPath: string, prefix: string): boolean {
  return requestPath === prefix || requestPath.startsWith(`${prefix}/`);
}

function sendNotBuiltNote(_request: Request, response: Response): void {
  response
    .type('text/plain')
    .send('The Meshtext relay is running, but the app is not built. Run `npm run build`, then restart the relay.\n');
}
