/** POST {key, action: 'acknowledged' | 'reopened', note}: append an acknowledgement to a finding (actor 'local'). */
import { NextResponse } from 'next/server';
import { apiError, errorResponse, parseJsonBody } from '@/lib/api/respond';
import { getDb } from '@/lib/db';
import { AckInputSchema, getFinding, recordFindingAck } from '@/lib/db/findings';

export const dynamic = 'force-dynamic';

export async function POST(request: Request) {
  const body = await parseJsonBody(request, AckInputSchema, 16 * 1024);
  if (!body.ok) return body.response;
  try {
    const db = await getDb();
    const current = await getFinding(db, body.data.key);
    if (!current) return apiError(404, 'NOT_FOUND', 'There is no such finding in the stored history.');
    if ((body.data.action === 'acknowledged') === (current.status === 'acknowledged')) {
      return apiError(409, 'CONFLICT', current.status === 'acknowledged' ? 'This finding is already acknowledged; reopen it first.' : 'This finding is already open.');
    }
    const { ack, status } = await recordFindingAck(db, body.data);
    return NextResponse.json({ status, ack }, { status: 201 });
  } catch (e) {
    return errorResponse(e);
  }
}
