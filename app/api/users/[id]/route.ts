/** Admin: PATCH {role?, disabled?, password?} changes an account (never the last active admin away). */
import { z } from 'zod';
import { NextResponse } from 'next/server';
import { errorResponse, parseJsonBody, parseValue } from '@/lib/api/respond';
import { updateUser } from '@/lib/auth/accounts';
import { withRole } from '@/lib/auth/guard';
import { ROLES } from '@/lib/auth/roles';
import { getDb } from '@/lib/db';
import { recordAudit } from '@/lib/db/audit-log';

export const dynamic = 'force-dynamic';

const Params = z.object({ id: z.string().regex(/^[a-z0-9]{1,64}$/, 'a user id') });
const Body = z
  .object({ role: z.enum(ROLES).optional(), disabled: z.boolean().optional(), password: z.string().max(1024).optional() })
  .strict()
  .refine((b) => b.role !== undefined || b.disabled !== undefined || b.password !== undefined, { message: 'change role, disabled or password' });

export const PATCH = withRole('admin', async (request: Request, ctx: { params: Promise<{ id: string }> }, auth) => {
  const p = parseValue(await ctx.params, Params);
  if (!p.ok) return p.response;
  const body = await parseJsonBody(request, Body, 4096);
  if (!body.ok) return body.response;
  try {
    const db = await getDb();
    const user = await updateUser(db, p.data.id, body.data);
    const detail = { ...(body.data.role ? { role: body.data.role } : {}), ...(body.data.disabled !== undefined ? { disabled: body.data.disabled } : {}), ...(body.data.password !== undefined ? { password: 'reset' } : {}), via: auth.via };
    await recordAudit(db, { actor: auth.user.username, action: 'user-change', target: user.username, detail, ip: auth.ip });
    return NextResponse.json(user);
  } catch (e) {
    return errorResponse(e);
  }
});
