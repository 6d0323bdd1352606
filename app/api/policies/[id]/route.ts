import { z } from 'zod';
import { NextResponse } from 'next/server';
import { apiError, errorResponse, parseValue } from '@/lib/api/respond';
import { getDb } from '@/lib/db';
import { getPolicy } from '@/lib/db/policies';
import { withRole } from '@/lib/auth/guard';

export const dynamic = 'force-dynamic';

const Params = z.object({ id: z.string().min(1).max(128) });

/** One policy (by id or name) with every version: YAML as imported, parsed documents, run counts. */
export const GET = withRole('viewer', async (_request: Request, { params }: { params: Promise<{ id: string }> }) => {
  const p = parseValue(await params, Params);
  if (!p.ok) return p.response;
  try {
    const policy = await getPolicy(await getDb(), p.data.id);
    if (!policy) return apiError(404, 'NOT_FOUND', `no policy ${JSON.stringify(p.data.id)}`);
    return NextResponse.json(policy);
  } catch (e) {
    return errorResponse(e);
  }
});
