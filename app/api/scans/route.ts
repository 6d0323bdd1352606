import { z } from 'zod';
import { NextResponse } from 'next/server';
import { getDb } from '@/lib/db';
import { listScans } from '@/lib/db/scans';
import { startScan, resumeOnce } from '@/lib/audit/scan/service';
import { TagFilterSchema } from '@/lib/audit/scan/targets';
import { errorResponse, parseJsonBody } from '@/lib/api/respond';

export const dynamic = 'force-dynamic';

export async function GET() {
  try {
    const db = await getDb();
    await resumeOnce(db);
    return NextResponse.json({ scans: await listScans(db, 100) });
  } catch (e) {
    return errorResponse(e);
  }
}

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

export async function POST(request: Request) {
  const body = await parseJsonBody(request, Body, 1024 * 1024);
  if (!body.ok) return body.response;
  try {
    const db = await getDb();
    const { tags, ...rest } = body.data;
    const { id } = await startScan(db, { ...rest, ...(tags ? { tags: TagFilterSchema.parse(tags) } : {}), source: 'web' });
    return NextResponse.json({ id }, { status: 201 });
  } catch (e) {
    return errorResponse(e);
  }
}
