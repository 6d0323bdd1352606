/** Admin: GET lists accounts, POST {username, password, role} creates one. */
import { z } from 'zod';
import { NextResponse } from 'next/server';
import { errorResponse, parseJsonBody } from '@/lib/api/respond';
import { createUser, listUsers } from '@/lib/auth/accounts';
import { withRole } from '@/lib/auth/guard';
import { ROLES } from '@/lib/auth/roles';
import { getDb } from '@/lib/db';
import { recordAudit } from '@/lib/db/audit-log';

export const dynamic = 'force-dynamic';

export const GET = withRole('admin', async () => {
  try {
    return NextResponse.json({ users: await listUsers(await getDb()) });
  } catch (e) {
    return errorResponse(e);
  }
});

const Body = z.object({ username: z.string().max(64), password: z.string().max(1024), role: z.enum(ROLES) });

export const POST = withRole('admin', async (request: Request, _ctx, auth) => {
  const body = await parseJsonBody(request, Body, 4096);
  if (!body.ok) return body.response;
  try {
    const db = await getDb();
    const user = await createUser(db, body.data);
    await recordAudit(db, { actor: auth.user.username, action: 'user-change', target: user.username, detail: { change: 'created', role: user.role, via: auth.via }, ip: auth.ip });
    return NextResponse.json(user, { status: 201 });
  } catch (e) {
    return errorResponse(e);
  }
});
