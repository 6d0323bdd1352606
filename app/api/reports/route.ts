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

export const dynamic = 'force-dynamic';
// A PDF or a 10k-row archive takes a while; the request waits for it.
export const maxDuration = 300;

export async function GET() {
  try {
    return NextResponse.json({ reports: await listReports(await getDb()) });
  } catch (e) {
    return errorResponse(e);
  }
}

export async function POST(request: Request) {
  const body = await parseJsonBody(request, GenerateRequestSchema, 16 * 1024);
  if (!body.ok) return body.response;
  try {
    const { kind, value, issuer, policy, format, sign } = body.data;
    const scope = parseScope(kind, value, { issuer });
    const report = await generateReport(await getDb(), { scope, policyName: policy, format, sign, actor: 'local' });
    return NextResponse.json({ report }, { status: 201 });
  } catch (e) {
    return errorResponse(e);
  }
}
