import { z } from 'zod';
import { getDb, getRun } from '@/lib/db';
import { apiError, errorResponse, jsonResponse, parseValue } from '@/lib/api/respond';
import { withRole } from '@/lib/auth/guard';

export const dynamic = 'force-dynamic';

const Params = z.object({ id: z.string().min(1).max(64).regex(/^[a-z0-9]+$/, 'a run id') });

export const GET = withRole('viewer', async (_request: Request, ctx: { params: Promise<{ id: string }> }) => {
  const p = parseValue(await ctx.params, Params);
  if (!p.ok) return p.response;
  try {
    const run = await getRun(await getDb(), p.data.id);
    if (!run) return apiError(404, 'NOT_FOUND', `no run ${p.data.id}`);
    return jsonResponse(run);
  } catch (e) {
    return errorResponse(e);
  }
});
