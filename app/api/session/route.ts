/**
 * POST {username, password}: sign in (sets the HTTP-only session cookie and the readable CSRF cookie).
 * GET: who is signed in (and the CSRF token for cookie sessions). DELETE: sign out (revokes the session).
 */
import { z } from 'zod';
import { NextResponse } from 'next/server';
import { apiError, errorResponse, parseJsonBody } from '@/lib/api/respond';
import { revokeSession } from '@/lib/auth/accounts';
import { sessionCookies, wantsSecureCookies } from '@/lib/auth/cookies';
import { clientIp, publicRoute, withRole } from '@/lib/auth/guard';
import { signIn } from '@/lib/auth/sign-in';
import { getDb } from '@/lib/db';
import { recordAudit } from '@/lib/db/audit-log';

export const dynamic = 'force-dynamic';

const Body = z.object({
  username: z.string().trim().min(1, 'enter your username').max(64),
  password: z.string().min(1, 'enter your password').max(1024),
});

export const POST = publicRoute(async (request: Request) => {
  const body = await parseJsonBody(request, Body, 4096);
  if (!body.ok) return body.response;
  try {
    const result = await signIn(await getDb(), { ...body.data, ip: clientIp(request) });
    if (!result.ok) {
      if (result.reason === 'no-users') return apiError(409, 'SETUP_REQUIRED', 'No account exists yet: create the first admin on /setup.');
      if (result.reason === 'throttled') {
        const seconds = Math.ceil((result.retryAfterMs ?? 60_000) / 1000);
        const res = apiError(429, 'RATE_LIMITED', `Too many failed sign-ins; try again in ${Math.ceil(seconds / 60)} minute(s).`);
        res.headers.set('retry-after', String(seconds));
        return res;
      }
      return apiError(401, 'UNAUTHENTICATED', 'Wrong username or password (or the account is disabled).');
    }
    const res = NextResponse.json({ user: result.user, csrfToken: result.session.csrfToken, expiresAt: result.session.expiresAt });
    for (const c of sessionCookies(result.session, wantsSecureCookies(request))) res.headers.append('set-cookie', c);
    res.headers.set('cache-control', 'no-store');
    return res;
  } catch (e) {
    return errorResponse(e);
  }
});

export const GET = withRole('viewer', async (_request: Request, _ctx, auth) => {
  return NextResponse.json({ user: auth.user, via: auth.via }, { headers: { 'cache-control': 'no-store' } });
});

export const DELETE = withRole('viewer', async (request: Request, _ctx, auth) => {
  try {
    const db = await getDb();
    if (auth.sessionId) await revokeSession(db, auth.sessionId);
    await recordAudit(db, { actor: auth.user.username, action: 'sign-out', detail: { via: auth.via }, ip: auth.ip });
    const res = NextResponse.json({ signedOut: true });
    for (const c of sessionCookies(null, wantsSecureCookies(request))) res.headers.append('set-cookie', c);
    return res;
  } catch (e) {
    return errorResponse(e);
  }
});
