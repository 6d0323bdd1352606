import { z } from 'zod';
import { NextResponse } from 'next/server';
import { getDb } from '@/lib/db';
import { getScanJob, repositorySummaries, scanProgress } from '@/lib/db/scans';
import { cancelScan, resumeOnce, resumeScan } from '@/lib/audit/scan/service';
import { apiError, errorResponse, parseJsonBody } from '@/lib/api/respond';
import { recordAudit } from '@/lib/db/audit-log';

import { withRole, type AuthContext } from '@/lib/auth/guard';

export const dynamic = 'force-dynamic';

const Id = z.string().regex(/^[a-z0-9]{1,64}$/);

export const GET = withRole('viewer', async (_request: Request, { params }: { params: Promise<{ id: string }> }) => {
  const { id } = await params;
  if (!Id.safeParse(id).success) return apiError(400, 'INVALID_INPUT', 'invalid scan id');
  try {
    const db = await getDb();
    await resumeOnce(db);
    const [job, progress, repositories] = await Promise.all([getScanJob(db, id), scanProgress(db, id), repositorySummaries(db, id)]);
    if (!job || !progress) return apiError(404, 'NOT_FOUND', `no scan ${id}`);
    let spec: unknown = null;
    try {
      spec = JSON.parse(job.spec);
    } catch {
      spec = null;
    }
    return NextResponse.json({ id, spec, runner: job.runner, trustRootName: job.trustRootName, source: job.source, actor: job.actor, progress, repositories });
  } catch (e) {
    return errorResponse(e);
  }
});

const Action = z.object({ action: z.enum(['cancel', 'resume']) }).strict();

export const POST = withRole('auditor', async (request: Request, { params }: { params: Promise<{ id: string }> }, auth: AuthContext) => {
  const { id } = await params;
  if (!Id.safeParse(id).success) return apiError(400, 'INVALID_INPUT', 'invalid scan id');
  const body = await parseJsonBody(request, Action);
  if (!body.ok) return body.response;
  try {
    const db = await getDb();
    if (body.data.action === 'cancel') await cancelScan(db, id);
    else await resumeScan(db, id);
    await recordAudit(db, { actor: auth.user.username, action: 'scan', target: id, detail: { action: body.data.action, via: auth.via }, ip: auth.ip });
    return NextResponse.json({ id, progress: await scanProgress(db, id) });
  } catch (e) {
    return errorResponse(e);
  }
});
