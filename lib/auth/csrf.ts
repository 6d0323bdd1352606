/**
 * Cross-site request checks for cookie-authenticated state changes.
 *
 * Two independent checks, both required:
 * 1. Origin / Sec-Fetch-Site: a browser sends them on every POST/PUT/PATCH/DELETE;
 *    they must say the request comes from this site. Clients that send neither
 *    (curl with a cookie) pass this check but still need 2.
 * 2. The per-session CSRF token in the `x-csrf-token` header, compared in constant
 *    time with the one stored for the session. The browser reads it from the
 *    `sigscope_csrf` cookie (readable by our scripts, not by other sites).
 * Bearer-token requests carry no ambient authority and skip both.
 */
import { safeEqual } from './tokens';

export const CSRF_HEADER = 'x-csrf-token';
export const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function isUnsafeMethod(method: string): boolean {
  return UNSAFE_METHODS.has(method.toUpperCase());
}

/** Why the request does not look same-origin, or undefined. `host` is the Host header the server was reached at. */
export function crossSiteProblem(headers: Headers, host: string | null): string | undefined {
  const site = headers.get('sec-fetch-site');
  if (site && site !== 'same-origin') return `the request came from another site (Sec-Fetch-Site: ${site.slice(0, 20)})`;
  const origin = headers.get('origin');
  if (origin !== null) {
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      return 'the request has an invalid Origin header';
    }
    if (!host || originHost.toLowerCase() !== host.toLowerCase()) return 'the request came from another origin';
  }
  return undefined;
}

export function csrfTokenProblem(headers: Headers, expected: string): string | undefined {
  const sent = headers.get(CSRF_HEADER);
  if (!sent) return `the ${CSRF_HEADER} header is missing (reload the page and try again)`;
  if (!safeEqual(sent, expected)) return `the ${CSRF_HEADER} header does not match this session (reload the page and try again)`;
  return undefined;
}
