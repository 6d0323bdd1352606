/** The caller's API tokens: GET lists them (prefix, dates), POST {name} creates one and returns it ONCE. */
import { z } from 'zod';
import { NextResponse } from 'next/server';
import { errorResponse, parseJsonBody } from '@/lib/api/respond';
import { createApiToken, listApiTokens, TokenNameSchema } from '@/lib/auth/accounts';
import { withRole } from '@/lib/auth/guard';
import { getDb } from '@/lib/db';
import { recordAudit } from '@/lib/db/audit-log';

export const dynamic = 'force-dynamic';

export const GET = withRole('viewer', async (_request: Request, _ctx, auth) => {
  try {
    return NextResponse.json({ tokens: await listApiTokens(await getDb(), auth.user.id) });
  } catch (e) {
    return errorResponse(e);
  }
});

const Body = z.object({ name: TokenNameSchema });

export const POST = withRole('viewer', async (request: Request, _ctx, auth) => {
  const body = await parseJsonBody(request, Body, 4096);
  if (!body.ok) return body.response;
  try {
    const db = await getDb();
    const created = await createApiToken(db, auth.user.id, body.data.name);
    await recordAudit(db, { actor: auth.user.username, action: 'token-create', target: created.row.prefix, detail: { name: created.row.name, via: auth.via }, ip: auth.ip });
    return NextResponse.json({ token: created.token, ...created.row }, { status: 201, headers: { 'cache-control': 'no-store' } });
  } catch (e) {
    return errorResponse(e);
  }
});
