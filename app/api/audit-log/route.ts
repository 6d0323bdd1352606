/** Admin: GET the audit log, newest first, filtered by actor, action, target, from/to (YYYY-MM-DD), paged by cursor. */
import { errorResponse, parseValue } from '@/lib/api/respond';
import { NextResponse } from 'next/server';
import { withRole } from '@/lib/auth/guard';
import { getDb } from '@/lib/db';
import { AuditQuerySchema, listAuditEvents } from '@/lib/db/audit-log';

export const dynamic = 'force-dynamic';

export const GET = withRole('admin', async (request: Request) => {
  const q = parseValue(Object.fromEntries(new URL(request.url).searchParams), AuditQuerySchema.strict());
  if (!q.ok) return q.response;
  try {
    return NextResponse.json(await listAuditEvents(await getDb(), q.data));
  } catch (e) {
    return errorResponse(e);
  }
});
