/**
 * Origin checks for WebSocket upgrades and the JSON endpoints. Without a list of allowed
 * origins every origin is accepted. With one, a request whose Origin header names another
 * origin is rejected.
 *
 * Two kinds of request pass anyway. Requests without an Origin header pass, because browsers
 * send one with every WebSocket upgrade and cross-origin fetch, so only other programs omit it.
 * Those programs could forge the header as well, so the check protects browser users, not the
 * relay. Same-origin requests, whose Origin matches the Host header, pass too, so the app
 * served by the relay itself always works.
 */

import type { IncomingMessage } from 'node:http';

/** Decides which origins may use the relay. */
export interface OriginPolicy {
  /** True when a list of allowed origins is configured. */
  readonly isRestricted: boolean;
  /** Tells whether the request's Origin header, if any, is allowed. */
  isAllowed(request: IncomingMessage): boolean;
}

/**
 * Normalizes an origin such as `https://chat.example.org:8443/` to `scheme://host[:port]`.
 * @throws TypeError when the value is not an http or https origin without a path.
 */
export function normalizeOrigin(value: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch (error) {
    throw new TypeError(`invalid origin ${JSON.stringify(value)}: expected for example https://chat.example.org`, { cause: error });
  }

  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`invalid origin ${JSON.stringify(value)}: expected an http:// or https:// origin`);
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '' || url.username !== '') {
    throw new TypeError(`invalid origin ${JSON.stringify(value)}: expected scheme, host and port only, without a path`);
  }

  return url.origin;
}

/**
 * Creates the policy. `allowedOrigins` must already be normalized. `isTls` selects the scheme
 * that a same-origin request carries.
 */
export function createOriginPolicy(allowedOrigins: readonly string[] | undefined, isTls: boolean): OriginPolicy {
  if (allowedOrigins === undefined || allowedOrigins.length === 0) {
    return { isRestricted: false, isAllowed: () => true };
  }

  const allowed = new Set(allowedOrigins);
  const scheme = isTls ? 'https' : 'http';

  return {
    isRestricted: true,

    isAllowed(request) {
      const origin = request.headers.origin;
      if (origin === undefined) return true;
      if (allowed.has(origin)) return true;

      const host = request.headers.host;

      return host !== undefined && origin.toLowerCase() === `${scheme}://${host.toLowerCase()}`;
    },
  };
}
