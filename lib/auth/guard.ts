/**
 * The one place route handlers get authentication, authorization and CSRF checks.
 *
 *   export const GET = withRole('viewer', async (request, ctx, auth) => { ... });
 *   export const POST = withRole('auditor', async (request, ctx, auth) => { ... recordAudit(db, { actor: auth.user.username, ... }) });
 *
 * - credentials: `Authorization: Bearer sgs_…` (API token) or the session cookie;
 *   a request presenting a bad token is refused, never downgraded to the cookie;
 * - none or invalid → 401 UNAUTHENTICATED; role too low → 403 FORBIDDEN;
 * - cookie-authenticated POST/PUT/PATCH/DELETE must be same-origin and carry the
 *   session's CSRF token (./csrf.ts) → else 403 CSRF.
 * `publicRoute` marks the few handlers reachable without a session (sign-in,
 * first-admin setup); it still refuses cross-site state changes. Every exported
 * HTTP method in app/api/** must go through one of the two (tests/integration/route-guards.test.ts
 * and e2e/auth-api.spec.ts fail otherwise).
 */
import 'server-only';
import { apiError, errorResponse } from '../api/respond';
import { getDb } from '../db';
import { lookupApiToken, lookupSession, type AuthUser } from './accounts';
import { readCookie, SESSION_COOKIE } from './cookies';
import { crossSiteProblem, csrfTokenProblem, isUnsafeMethod } from './csrf';
import { roleAtLeast, type Role } from './roles';

export interface AuthContext {
  user: AuthUser;
  via: 'session' | 'token';
  sessionId?: string;
  tokenId?: string;
  /** Client address as the server saw it (X-Forwarded-For as Next passes it). */
  ip: string | null;
}

type Awaitable<T> = T | Promise<T>;

export function clientIp(request: Request): string | null {
  return request.headers.get('x-forwarded-for')?.split(',')[0]?.trim().slice(0, 64) || null;
}

/** Who is calling, or a ready error response. Exported for handlers that need it outside withRole (none today). */
export async function authenticate(request: Request): Promise<{ ok: true; auth: AuthContext } | { ok: false; response: Response }> {
  const db = await getDb();
  const ip = clientIp(request);
  const authorization = request.headers.get('authorization');
  if (authorization !== null) {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    const found = m ? await lookupApiToken(db, m[1]!) : null;
    if (!found) return { ok: false, response: apiError(401, 'UNAUTHENTICATED', 'The API token is invalid, revoked, or its user is disabled.') };
    return { ok: true, auth: { user: found.user, via: 'token', tokenId: found.tokenId, ip } };
  }
  const cookie = readCookie(request.headers.get('cookie'), SESSION_COOKIE);
  const session = cookie ? await lookupSession(db, cookie) : null;
  if (!session) return { ok: false, response: apiError(401, 'UNAUTHENTICATED', 'Sign in first (or send an API token as "Authorization: Bearer sgs_…").') };
  if (isUnsafeMethod(request.method)) {
    const problem = crossSiteProblem(request.headers, request.headers.get('host')) ?? csrfTokenProblem(request.headers, session.csrfToken);
    if (problem) return { ok: false, response: apiError(403, 'CSRF', `Refused: ${problem}.`) };
  }
  return { ok: true, auth: { user: session.user, via: 'session', sessionId: session.sessionId, ip } };
}

export function withRole<C = unknown>(role: Role, handler: (request: Request, ctx: C, auth: AuthContext) => Awaitable<Response>): (request: Request, ctx: C) => Promise<Response> {
  const guarded = async (request: Request, ctx: C): Promise<Response> => {
    let result: Awaited<ReturnType<typeof authenticate>>;
    try {
      result = await authenticate(request);
    } catch (e) {
      return errorResponse(e);
    }
    if (!result.ok) return result.response;
    if (!roleAtLeast(result.auth.user.role, role)) {
      return apiError(403, 'FORBIDDEN', `This needs the ${role} role; ${result.auth.user.username} is ${result.auth.user.role}.`);
    }
    return handler(request, ctx, result.auth);
  };
  return Object.assign(guarded, { requiredRole: role });
}

/** A handler anyone may call (sign-in, first-admin setup). State changes must still come from this site. */
export function publicRoute<C = unknown>(handler: (request: Request, ctx: C) => Awaitable<Response>): (request: Request, ctx: C) => Promise<Response> {
  const wrapped = async (request: Request, ctx: C): Promise<Response> => {
    if (isUnsafeMethod(request.method)) {
      const problem = crossSiteProblem(request.headers, request.headers.get('host'));
      if (problem) return apiError(403, 'CSRF', `Refused: ${problem}.`);
    }
    return handler(request, ctx);
  };
  return Object.assign(wrapped, { requiredRole: 'public' as const });
}
