/** POST {key, action: 'acknowledged' | 'reopened', note}: append an acknowledgement to a finding (actor: the signed-in user). */
import { NextResponse } from 'next/server';
import { apiError, errorResponse, parseJsonBody } from '@/lib/api/respond';
import { getDb } from '@/lib/db';
import { AckInputSchema, getFinding, recordFindingAck } from '@/lib/db/findings';
import { withRole } from '@/lib/auth/guard';
import { recordAudit } from '@/lib/db/audit-log';

export const dynamic = 'force-dynamic';

export const POST = withRole('auditor', async (request: Request, _ctx, auth) => {
  const body = await parseJsonBody(request, AckInputSchema, 16 * 1024);
  if (!body.ok) return body.response;
  try {
    const db = await getDb();
    const current = await getFinding(db, body.data.key);
    if (!current) return apiError(404, 'NOT_FOUND', 'There is no such finding in the stored history.');
    if ((body.data.action === 'acknowledged') === (current.status === 'acknowledged')) {
      return apiError(409, 'CONFLICT', current.status === 'acknowledged' ? 'This finding is already acknowledged; reopen it first.' : 'This finding is already open.');
    }
    const { ack, status } = await recordFindingAck(db, body.data, auth.user.username);
    await recordAudit(db, { actor: auth.user.username, action: 'finding-ack', target: body.data.key, detail: { action: body.data.action, note: ack.note, via: auth.via }, ip: auth.ip });
    return NextResponse.json({ status, ack }, { status: 201 });
  } catch (e) {
    return errorResponse(e);
  }
});
