/** POST: stop a watch (it and its checks are kept). */
import { z } from 'zod';
import { errorResponse, jsonResponse, parseValue } from '@/lib/api/respond';
import { getDb } from '@/lib/db';
import { stopWatch } from '@/lib/db/watches';

import { withRole } from '@/lib/auth/guard';

export const dynamic = 'force-dynamic';

const Id = z.string().regex(/^[a-z0-9]{8,40}$/, 'a watch ID');

export const POST = withRole('auditor', async (_request: Request, { params }: { params: Promise<{ id: string }> }) => {
  const id = parseValue((await params).id, Id);
  if (!id.ok) return id.response;
  try {
    return jsonResponse({ watch: await stopWatch(await getDb(), id.data) });
  } catch (e) {
    return errorResponse(e);
  }
});
