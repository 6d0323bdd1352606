/**
 * GET: stored reports, newest first (metadata; bytes via /api/reports/<id>).
 * POST {kind, value, issuer?, policy?, format, sign?}: generate a report from stored runs, store it, 201 with its metadata.
 */
import { NextResponse } from 'next/server';
import { errorResponse, parseJsonBody } from '@/lib/api/respond';
import { getDb } from '@/lib/db';
import { generateReport, listReports } from '@/lib/report/generate';
import { GenerateRequestSchema } from '@/lib/report/request';
import { parseScope } from '@/lib/report/scope';

import { withRole, type AuthContext } from '@/lib/auth/guard';

export const dynamic = 'force-dynamic';
// A PDF or a 10k-row archive takes a while; the request waits for it.
export const maxDuration = 300;

export const GET = withRole('viewer', async (_request: Request) => {
  try {
    return NextResponse.json({ reports: await listReports(await getDb()) });
  } catch (e) {
    return errorResponse(e);
  }
});

export const POST = withRole('auditor', async (request: Request, _ctx: unknown, auth: AuthContext) => {
  const body = await parseJsonBody(request, GenerateRequestSchema, 16 * 1024);
  if (!body.ok) return body.response;
  try {
    const { kind, value, issuer, policy, format, sign } = body.data;
    const scope = parseScope(kind, value, { issuer });
    const report = await generateReport(await getDb(), { scope, policyName: policy, format, sign, actor: auth.user.username });
    return NextResponse.json({ report }, { status: 201 });
  } catch (e) {
    return errorResponse(e);
  }
});
