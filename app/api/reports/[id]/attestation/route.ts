/** GET: the signed verification summary (DSSE envelope) of a stored report; 404 when it was not signed. */
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
    if (!stored.attestation) return apiError(404, 'NOT_FOUND', 'This report was not signed.');
    return new Response(`${stored.attestation}\n`, {
      headers: { 'content-type': 'application/json', 'content-disposition': `attachment; filename="${stored.meta.fileName}.dsse.json"`, 'x-content-type-options': 'nosniff' },
    });
  } catch (e) {
    return errorResponse(e);
  }
});
