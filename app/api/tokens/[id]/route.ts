/** DELETE: revokes one of the caller's API tokens (it stops working at once). */
import { z } from 'zod';
import { NextResponse } from 'next/server';
import { apiError, errorResponse, parseValue } from '@/lib/api/respond';
import { revokeApiToken } from '@/lib/auth/accounts';
import { withRole } from '@/lib/auth/guard';
import { getDb } from '@/lib/db';
import { recordAudit } from '@/lib/db/audit-log';

export const dynamic = 'force-dynamic';

const Params = z.object({ id: z.string().regex(/^[a-z0-9]{1,64}$/, 'a token id') });

export const DELETE = withRole('viewer', async (_request: Request, ctx: { params: Promise<{ id: string }> }, auth) => {
  const p = parseValue(await ctx.params, Params);
  if (!p.ok) return p.response;
  try {
    const db = await getDb();
    const row = await revokeApiToken(db, auth.user.id, p.data.id);
    if (!row) return apiError(404, 'NOT_FOUND', 'You have no such token.');
    await recordAudit(db, { actor: auth.user.username, action: 'token-revoke', target: row.prefix, detail: { name: row.name, via: auth.via }, ip: auth.ip });
    return NextResponse.json(row);
  } catch (e) {
    return errorResponse(e);
  }
});
