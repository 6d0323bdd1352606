import { z } from 'zod';
import { NextResponse } from 'next/server';
import { getDb } from '@/lib/db';
import { listScans } from '@/lib/db/scans';
import { startScan, resumeOnce } from '@/lib/audit/scan/service';
import { TagFilterSchema } from '@/lib/audit/scan/targets';
import { errorResponse, parseJsonBody } from '@/lib/api/respond';
import { recordAudit } from '@/lib/db/audit-log';

import { withRole, type AuthContext } from '@/lib/auth/guard';

export const dynamic = 'force-dynamic';

export const GET = withRole('viewer', async (_request: Request) => {
  try {
    const db = await getDb();
    await resumeOnce(db);
    return NextResponse.json({ scans: await listScans(db, 100) });
  } catch (e) {
    return errorResponse(e);
  }
});

const Body = z
  .object({
    targets: z.array(z.string().trim().min(1).max(600)).min(1).max(10_000),
    tags: TagFilterSchema.partial().optional(),
    policy: z.record(z.string(), z.unknown()).optional(),
    policyName: z.string().min(1).max(128).optional(),
    trustRoot: z.string().min(1).max(200).optional(),
    concurrency: z.number().int().min(1).max(32).optional(),
    full: z.boolean().optional(),
  })
  .strict();

export const POST = withRole('auditor', async (request: Request, _ctx: unknown, auth: AuthContext) => {
  const body = await parseJsonBody(request, Body, 1024 * 1024);
  if (!body.ok) return body.response;
  try {
    const db = await getDb();
    const { tags, ...rest } = body.data;
    const { id } = await startScan(db, { ...rest, ...(tags ? { tags: TagFilterSchema.parse(tags) } : {}), source: 'web', actor: auth.user.username });
    await recordAudit(db, { actor: auth.user.username, action: 'scan', target: id, detail: { targets: rest.targets.slice(0, 20), targetCount: rest.targets.length, policyName: rest.policyName ?? null, via: auth.via }, ip: auth.ip });
    return NextResponse.json({ id }, { status: 201 });
  } catch (e) {
    return errorResponse(e);
  }
});
