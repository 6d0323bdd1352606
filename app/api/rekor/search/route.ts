/**
 * The explorer's search box as an API: POST {q, trustRoot?} (q may be a pasted
 * bundle, too large for a URL) or GET ?q=…; answers the entries, each proven,
 * as table rows and in full, with the logs' checkpoint verdicts.
 */
import { z } from 'zod';
import { errorResponse, jsonResponse, parseJsonBody, parseValue } from '@/lib/api/respond';
import { searchRekor } from '@/lib/rekor/explore-db';
import { resultRows } from '@/lib/rekor/rows';
import { MAX_PASTED_BYTES } from '@/lib/rekor/search';

import { withRole } from '@/lib/auth/guard';

export const dynamic = 'force-dynamic';

const Body = z.object({ q: z.string().min(1).max(MAX_PASTED_BYTES), trustRoot: z.string().trim().min(1).max(4096).optional() }).strict();

async function answer(q: string, trustRoot: string | undefined) {
  try {
    const r = await searchRekor(trustRoot, q);
    return jsonResponse({ understood: r.understood, rows: resultRows(r.entries, r.trustRoot.name), messages: r.messages, checkpoints: r.checkpoints ?? [], logs: r.logs, truncated: r.truncated, entries: r.entries });
  } catch (e) {
    return errorResponse(e);
  }
}

export const POST = withRole('viewer', async (request: Request) => {
  const body = await parseJsonBody(request, Body, MAX_PASTED_BYTES + 8192);
  if (!body.ok) return body.response;
  return answer(body.data.q, body.data.trustRoot);
});

export const GET = withRole('viewer', async (request: Request) => {
  const q = parseValue(Object.fromEntries(new URL(request.url).searchParams), Body);
  if (!q.ok) return q.response;
  return answer(q.data.q, q.data.trustRoot);
});
