/** POST: check a watch now; the check (or its error) is appended to the watch's history. */
import { z } from 'zod';
import { errorResponse, jsonResponse, parseValue } from '@/lib/api/respond';
import { checkWatchNow } from '@/lib/rekor/watch-db';

import { withRole } from '@/lib/auth/guard';

export const dynamic = 'force-dynamic';

const Id = z.string().regex(/^[a-z0-9]{8,40}$/, 'a watch ID');

export const POST = withRole('auditor', async (_request: Request, { params }: { params: Promise<{ id: string }> }) => {
  const id = parseValue((await params).id, Id);
  if (!id.ok) return id.response;
  try {
    const r = await checkWatchNow(id.data);
    return jsonResponse({ check: r.check, messages: r.messages, checkpoint: r.checkpoint ?? null });
  } catch (e) {
    return errorResponse(e);
  }
});
