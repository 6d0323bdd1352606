import { z } from 'zod';
import { getDb, listRuns } from '@/lib/db';
import { errorResponse, parseValue } from '@/lib/api/respond';
import { NextResponse } from 'next/server';
import { withRole } from '@/lib/auth/guard';

export const dynamic = 'force-dynamic';

const Query = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(64).optional(),
});

export const GET = withRole('viewer', async (request: Request) => {
  const url = new URL(request.url);
  const q = parseValue(Object.fromEntries(url.searchParams), Query);
  if (!q.ok) return q.response;
  try {
    const { runs, nextCursor } = await listRuns(await getDb(), q.data);
    return NextResponse.json({
      runs: runs.map((r) => ({
        id: r.id,
        createdAt: r.createdAt,
        input: r.input,
        status: r.status,
        summary: typeof r.summary.text === 'string' ? r.summary.text : '',
        errorCode: r.errorCode,
        source: r.source,
        image: r.image,
        resultCount: r.resultCount,
      })),
      nextCursor,
    });
  } catch (e) {
    return errorResponse(e);
  }
});
