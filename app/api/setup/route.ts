/** POST {username, password}: creates the first admin, once, when no account exists (the /setup page). */
import { z } from 'zod';
import { NextResponse } from 'next/server';
import { apiError, errorResponse, parseJsonBody } from '@/lib/api/respond';
import { countUsers, createSession, createUser, ensureFirstAdmin } from '@/lib/auth/accounts';
import { sessionCookies, wantsSecureCookies } from '@/lib/auth/cookies';
import { clientIp, publicRoute } from '@/lib/auth/guard';
import { getDb } from '@/lib/db';
import { recordAudit } from '@/lib/db/audit-log';

export const dynamic = 'force-dynamic';

const Body = z.object({ username: z.string().max(64), password: z.string().max(1024) });

// Serializes setup requests in this process, so two first visitors cannot both become admin.
let queue: Promise<unknown> = Promise.resolve();

export const POST = publicRoute(async (request: Request) => {
  const body = await parseJsonBody(request, Body, 4096);
  if (!body.ok) return body.response;
  const run = queue.then(async () => {
    const db = await getDb();
    if (await ensureFirstAdmin(db)) return apiError(409, 'SETUP_DONE', 'Sigscope already has accounts; sign in instead.');
    const user = await createUser(db, { ...body.data, role: 'admin' });
    if ((await countUsers(db)) !== 1) return apiError(409, 'SETUP_DONE', 'Sigscope already has accounts; sign in instead.');
    await recordAudit(db, { actor: user.username, action: 'setup', target: user.username, detail: { role: 'admin' }, ip: clientIp(request) });
    const session = await createSession(db, user.id);
    const res = NextResponse.json({ user, csrfToken: session.csrfToken }, { status: 201 });
    for (const c of sessionCookies(session, wantsSecureCookies(request))) res.headers.append('set-cookie', c);
    return res;
  });
  queue = run.catch(() => undefined);
  try {
    return await run;
  } catch (e) {
    return errorResponse(e);
  }
});
