import { z } from 'zod';
import { NextResponse } from 'next/server';
import { getDb } from '@/lib/db';
import { ITEM_SORTS, ITEM_STATES, listScanItems } from '@/lib/db/scans';
import { apiError, errorResponse, parseValue } from '@/lib/api/respond';

import { withRole } from '@/lib/auth/guard';

export const dynamic = 'force-dynamic';

const Query = z.object({
  kind: z.enum(['image', 'repository', 'catalog']).default('image'),
  outcome: z.enum(['verified', 'signed-unchecked', 'failed', 'unsigned', 'error']).optional(),
  state: z.enum(ITEM_STATES).optional(),
  repository: z.string().max(255).optional(),
  q: z.string().max(200).optional(),
  sort: z.enum(ITEM_SORTS).default('repository'),
  dir: z.enum(['asc', 'desc']).default('asc'),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const GET = withRole('viewer', async (request: Request, { params }: { params: Promise<{ id: string }> }) => {
  const { id } = await params;
  if (!/^[a-z0-9]{1,64}$/.test(id)) return apiError(400, 'INVALID_INPUT', 'invalid scan id');
  const q = parseValue(Object.fromEntries(new URL(request.url).searchParams), Query);
  if (!q.ok) return q.response;
  try {
    const { items, total } = await listScanItems(await getDb(), id, { ...q.data, q: q.data.q || undefined, repository: q.data.repository || undefined });
    return NextResponse.json({
      total,
      items: items.map((i) => ({
        id: i.id,
        kind: i.kind,
        registry: i.registry,
        repository: i.repository,
        tag: i.tag,
        digest: i.digest,
        state: i.state,
        outcome: i.outcome,
        reused: i.reused,
        previousDigest: i.previousDigest,
        runId: i.runId,
        attempts: i.attempts,
        errorCode: i.errorCode,
        errorMessage: i.errorMessage,
        finishedAt: i.finishedAt,
      })),
    });
  } catch (e) {
    return errorResponse(e);
  }
});
