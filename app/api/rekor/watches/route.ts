/** Identity watches: GET lists them (?all=1 with stopped ones), POST adds one {identity, isRegexp?, oidcIssuer?, logUrl}. */
import { apiError, errorResponse, jsonResponse, parseJsonBody } from '@/lib/api/respond';
import { getDb } from '@/lib/db';
import { createWatch, listWatches } from '@/lib/db/watches';
import { WatchInputSchema } from '@/lib/rekor/watch';
import { contextForLog } from '@/lib/rekor/watch-db';

import { withRole } from '@/lib/auth/guard';

export const dynamic = 'force-dynamic';

export const GET = withRole('viewer', async (request: Request) => {
  try {
    const all = new URL(request.url).searchParams.get('all') === '1';
    return jsonResponse({ watches: await listWatches(await getDb(), { includeStopped: all }) });
  } catch (e) {
    return errorResponse(e);
  }
});

export const POST = withRole('auditor', async (request: Request) => {
  const body = await parseJsonBody(request, WatchInputSchema, 16 * 1024);
  if (!body.ok) return body.response;
  try {
    try {
      contextForLog(body.data.logUrl);
    } catch (e) {
      return apiError(400, 'INVALID_INPUT', (e as Error).message);
    }
    return jsonResponse({ watch: await createWatch(await getDb(), body.data) }, { status: 201 });
  } catch (e) {
    return errorResponse(e);
  }
});
