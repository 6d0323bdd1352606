/** GET: the stored report's bytes, exactly as generated (checked against its sha256), as a download. */
import { apiError, errorResponse } from '@/lib/api/respond';
import { getDb } from '@/lib/db';
import { getReportContent } from '@/lib/report/generate';

import { withRole } from '@/lib/auth/guard';

export const dynamic = 'force-dynamic';

export const GET = withRole('viewer', async (_request: Request, { params }: { params: Promise<{ id: string }> }) => {
  const { id } = await params;
  try {
    const stored = await getReportContent(await getDb(), id);
    if (!stored) return apiError(404, 'NOT_FOUND', 'There is no such report.');
    return new Response(new Uint8Array(stored.content), {
      headers: {
        'content-type': stored.meta.mediaType,
        'content-length': String(stored.content.length),
        'content-disposition': `attachment; filename="${stored.meta.fileName}"`,
        'x-content-sha256': stored.meta.sha256,
        'cache-control': 'private, max-age=0',
        'x-content-type-options': 'nosniff',
      },
    });
  } catch (e) {
    return errorResponse(e);
  }
});
