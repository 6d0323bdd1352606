/** PUT {current, next}: the signed-in user changes their own password; every other session ends, this one is renewed. */
import { z } from 'zod';
import { NextResponse } from 'next/server';
import { apiError, errorResponse, parseJsonBody } from '@/lib/api/respond';
import { checkPassword, createSession, updateUser } from '@/lib/auth/accounts';
import { sessionCookies, wantsSecureCookies } from '@/lib/auth/cookies';
import { withRole } from '@/lib/auth/guard';
import { signInLimiters } from '@/lib/auth/sign-in';
import { getDb } from '@/lib/db';
import { recordAudit } from '@/lib/db/audit-log';

export const dynamic = 'force-dynamic';

const Body = z.object({ current: z.string().min(1, 'enter your current password').max(1024), next: z.string().max(1024) });

export const PUT = withRole('viewer', async (request: Request, _ctx, auth) => {
  const body = await parseJsonBody(request, Body, 4096);
  if (!body.ok) return body.response;
  try {
    const db = await getDb();
    // Guessing the current password from a stolen session counts like failed sign-ins.
    const wait = signInLimiters.user.retryAfterMs(auth.user.username);
    if (wait > 0) {
      const res = apiError(429, 'RATE_LIMITED', `Too many wrong passwords; try again in ${Math.ceil(wait / 60_000)} minute(s).`);
      res.headers.set('retry-after', String(Math.ceil(wait / 1000)));
      return res;
    }
    if (!(await checkPassword(db, auth.user.username, body.data.current))) {
      signInLimiters.user.fail(auth.user.username);
      await recordAudit(db, { actor: auth.user.username, action: 'password-change', detail: { ok: false, reason: 'wrong current password', via: auth.via }, ip: auth.ip });
      return apiError(400, 'INVALID_INPUT', 'current: the current password is wrong');
    }
    await updateUser(db, auth.user.id, { password: body.data.next });
    await recordAudit(db, { actor: auth.user.username, action: 'password-change', detail: { ok: true, via: auth.via }, ip: auth.ip });
    const res = NextResponse.json({ changed: true });
    if (auth.via === 'session') {
      const session = await createSession(db, auth.user.id);
      for (const c of sessionCookies(session, wantsSecureCookies(request))) res.headers.append('set-cookie', c);
    }
    return res;
  } catch (e) {
    return errorResponse(e);
  }
});
